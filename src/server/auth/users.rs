//! The users file (`--auth-file`): one user per line as PgBouncer's `auth_file` has it,
//! `"name" "secret"`, where the secret is a SCRAM verifier (`SCRAM-SHA-256$…`, as
//! `litewire passwd` prints and PostgreSQL stores), an md5 hash (`md5` + md5 of
//! password and user name, PostgreSQL's old form), or the password itself. A `"`
//! inside a quoted field is written `""`. Blank lines and lines starting with `;` or
//! `#` are skipped; any other line that does not read is an error naming the line.

use std::collections::HashMap;
use std::path::Path;

use super::scram::Verifier;

/// How a user's password is known.
#[derive(Debug, Clone)]
pub enum Secret {
    /// The password itself, with a verifier made from it at load time (so SCRAM works).
    Plain(String, Verifier),
    /// `md5` followed by 32 hex digits: md5(password || user name).
    Md5(String),
    Scram(Verifier),
}

/// Users by name.
#[derive(Debug, Default)]
pub struct Users(HashMap<String, Secret>);

impl Users {
    pub fn get(&self, user: &str) -> Option<&Secret> {
        self.0.get(user)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn load(path: &Path) -> Result<Users, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read auth file {}: {e}", path.display()))?;
        Users::parse(&text).map_err(|e| format!("{}:{e}", path.display()))
    }

    /// Reads the file's text; an error starts with the line number.
    pub fn parse(text: &str) -> Result<Users, String> {
        let mut users = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            let fields = quoted_fields(line)
                .filter(|f| f.len() >= 2)
                .ok_or_else(|| {
                    format!(
                        "{}: expected \"user\" \"secret\" (each in double quotes)",
                        i + 1
                    )
                })?;
            let (name, secret) = (fields[0].clone(), fields[1].clone());
            if name.is_empty() {
                return Err(format!("{}: empty user name", i + 1));
            }
            let secret = if secret.starts_with("SCRAM-SHA-256$") {
                Secret::Scram(Verifier::parse(&secret).ok_or_else(|| {
                    format!(
                        "{}: malformed SCRAM-SHA-256 verifier for user {name:?}",
                        i + 1
                    )
                })?)
            } else if is_md5_hash(&secret) {
                Secret::Md5(secret.to_ascii_lowercase())
            } else {
                let v = Verifier::generate(&secret).map_err(|e| format!("{}: {e}", i + 1))?;
                Secret::Plain(secret, v)
            };
            users.insert(name, secret);
        }
        Ok(Users(users))
    }
}

fn is_md5_hash(s: &str) -> bool {
    s.len() == 35 && s.starts_with("md5") && s[3..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `md5` + hex md5 of password and user: PostgreSQL's md5 secret.
pub fn md5_secret(password: &str, user: &str) -> String {
    use md5::{Digest, Md5};
    let mut h = Md5::new();
    h.update(password.as_bytes());
    h.update(user.as_bytes());
    format!("md5{}", hex(&h.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The double-quoted fields of a line (`""` inside one is a quote); None if the line
/// has anything else outside quotes but spaces.
fn quoted_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => return Some(fields),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut field = String::new();
        loop {
            match chars.next()? {
                '"' if chars.next_if_eq(&'"').is_some() => field.push('"'),
                '"' => break,
                c => field.push(c),
            }
        }
        fields.push(field);
    }
}

/// A line for the users file (`litewire passwd`): the user and a SCRAM verifier of the
/// password, quoted as the file reads them.
pub fn entry(user: &str, password: &str) -> Result<String, String> {
    let v = Verifier::generate(password)?;
    Ok(format!(
        "\"{}\" \"{}\"",
        user.replace('"', "\"\""),
        v.to_string().replace('"', "\"\"")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_kinds_of_secret() {
        let scram = Verifier::new("pw", vec![3; 16], 4096).to_string();
        let text = format!(
            "; comment\n\n\"alice\" \"{scram}\"\n\"bob\" \"{}\"\n\"car\"\"ol\" \"plain pw\"\n",
            md5_secret("pw", "bob")
        );
        let users = Users::parse(&text).unwrap();
        assert_eq!(users.len(), 3);
        assert!(matches!(users.get("alice"), Some(Secret::Scram(_))));
        assert!(matches!(users.get("bob"), Some(Secret::Md5(h)) if h.len() == 35));
        assert!(matches!(users.get("car\"ol"), Some(Secret::Plain(p, _)) if p == "plain pw"));
        assert!(users.get("dave").is_none());
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, line) in [
            ("\"a\" \"b\"\nalice secret\n", "2:"),
            ("\"a\"\n", "1:"),
            ("\"a\" \"SCRAM-SHA-256$x\"\n", "1:"),
            ("\"\" \"pw\"\n", "1:"),
            ("\"a\" \"unterminated\n", "1:"),
        ] {
            let e = Users::parse(text).unwrap_err();
            assert!(e.starts_with(line), "{text:?}: {e}");
        }
    }

    #[test]
    fn md5_secret_is_postgresqls() {
        // SELECT 'md5' || md5('secret' || 'postgres'), in PostgreSQL 15.
        assert_eq!(
            md5_secret("secret", "postgres"),
            "md553f48b7c4b76a86ce72276c5755f217d"
        );
    }

    #[test]
    fn entries_read_back() {
        let line = entry("we\"ird", "pw").unwrap();
        let users = Users::parse(&line).unwrap();
        assert!(matches!(users.get("we\"ird"), Some(Secret::Scram(_))));
    }
}
