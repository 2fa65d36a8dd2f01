//! The corpus's client: the simple query protocol as psql speaks it, COPY included (data
//! sent after CopyInResponse, CopyData collected after CopyOutResponse). tokio-postgres
//! cannot serve here: its `copy_in` runs COPY through the extended protocol and, when the
//! server refuses the COPY, sends a second Sync whose ReadyForQuery desynchronises the
//! connection, so a refused COPY would cost the session (and its temporary tables).

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Backend messages larger than this end the connection (no test answer is near it).
const MAX_MESSAGE: usize = 256 << 20;

/// COPY data goes out in CopyData messages of about this size.
const COPY_CHUNK: usize = 64 << 10;

pub type Row = Vec<Option<String>>;

/// A statement's outcome as the client sees it.
pub enum Reply {
    /// Success: the rows of every result (COPY TO STDOUT: one row of one value per line).
    Rows(Vec<Row>),
    /// The first error's SQLSTATE and message.
    Error { code: String, message: String },
}

pub struct Wire {
    stream: BufReader<TcpStream>,
}

fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(tag);
    out.extend_from_slice(&(body.len() as i32 + 4).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn cstr(text: &str) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    out.push(0);
    out
}

fn error_fields(body: &[u8]) -> (String, String) {
    let (mut code, mut message) = (String::new(), String::new());
    for field in body.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let value = String::from_utf8_lossy(&field[1..]).into_owned();
        match field[0] {
            b'C' => code = value,
            b'M' => message = value,
            _ => {}
        }
    }
    (code, message)
}

fn data_row(body: &[u8]) -> std::io::Result<Row> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed DataRow");
    let count = i16::from_be_bytes(body.get(..2).ok_or_else(bad)?.try_into().unwrap());
    let mut at = 2;
    let mut row = Vec::with_capacity(count.max(0) as usize);
    for _ in 0..count {
        let len = i32::from_be_bytes(body.get(at..at + 4).ok_or_else(bad)?.try_into().unwrap());
        at += 4;
        if len < 0 {
            row.push(None);
        } else {
            let value = body.get(at..at + len as usize).ok_or_else(bad)?;
            row.push(Some(String::from_utf8_lossy(value).into_owned()));
            at += len as usize;
        }
    }
    Ok(row)
}

impl Wire {
    /// Connects and starts a session with `params` (user, database, settings); the
    /// server must not ask for a password.
    pub async fn connect(addr: &str, params: &[(String, String)]) -> std::io::Result<Wire> {
        let mut body = 196608i32.to_be_bytes().to_vec();
        for (key, value) in params {
            body.extend(cstr(key));
            body.extend(cstr(value));
        }
        body.push(0);
        let mut packet = (body.len() as i32 + 4).to_be_bytes().to_vec();
        packet.extend(body);
        let mut wire = Wire {
            stream: BufReader::new(TcpStream::connect(addr).await?),
        };
        wire.stream.get_mut().write_all(&packet).await?;
        loop {
            let (tag, body) = wire.recv().await?;
            match tag {
                b'R' if body.get(..4) == Some(&[0, 0, 0, 0]) => {}
                b'R' => return Err(std::io::Error::other("the server asks for a password")),
                b'E' => return Err(std::io::Error::other(error_fields(&body).1)),
                b'Z' => return Ok(wire),
                _ => {}
            }
        }
    }

    async fn recv(&mut self) -> std::io::Result<(u8, Vec<u8>)> {
        let tag = self.stream.read_u8().await?;
        let len = self.stream.read_i32().await?;
        let len = usize::try_from(len - 4)
            .ok()
            .filter(|l| *l <= MAX_MESSAGE)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad length"))?;
        let mut body = vec![0; len];
        self.stream.read_exact(&mut body).await?;
        Ok((tag, body))
    }

    async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.get_mut().write_all(bytes).await
    }

    /// Sends `sql` as one simple Query. If the server starts a COPY FROM STDIN, `copy_data`
    /// gives the data to send (None: the file has none; the COPY gets CopyDone at once).
    pub async fn query(
        &mut self,
        sql: &str,
        copy_data: impl FnOnce() -> Option<String>,
    ) -> std::io::Result<Reply> {
        self.send(&message(b'Q', &cstr(sql))).await?;
        let mut copy_data = Some(copy_data);
        let mut rows = Vec::new();
        let mut error = None;
        loop {
            let (tag, body) = self.recv().await?;
            match tag {
                b'D' => rows.push(data_row(&body)?),
                b'E' if error.is_none() => error = Some(error_fields(&body)),
                b'G' => {
                    let data = copy_data.take().and_then(|f| f()).unwrap_or_default();
                    self.send_copy(&data).await?;
                }
                b'd' => {
                    let text = String::from_utf8_lossy(&body);
                    rows.extend(text.lines().map(|l| vec![Some(l.to_string())]));
                }
                b'W' => return Err(std::io::Error::other("CopyBoth is not expected")),
                b'Z' => break,
                // RowDescription, CommandComplete, notices, parameter status, CopyOut/Done.
                _ => {}
            }
        }
        Ok(match error {
            Some((code, message)) => Reply::Error { code, message },
            None => Reply::Rows(rows),
        })
    }

    /// CopyData in chunks that end at line ends, then CopyDone.
    async fn send_copy(&mut self, data: &str) -> std::io::Result<()> {
        let mut rest = data;
        while !rest.is_empty() {
            let mut cut = rest.len().min(COPY_CHUNK);
            if cut < rest.len() {
                let line_end = rest.as_bytes()[..cut].iter().rposition(|b| *b == b'\n');
                cut = line_end.map_or(rest.len(), |nl| nl + 1);
            }
            self.send(&message(b'd', &rest.as_bytes()[..cut])).await?;
            rest = &rest[cut..];
        }
        self.send(&message(b'c', &[])).await
    }
}
