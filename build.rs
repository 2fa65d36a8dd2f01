//! Release builds of the `litewire` binary are linked with the functions a start and the
//! first queries run packed together (`link/hot-symbols.txt`, made by
//! `scripts/hot-symbols`): the kernel maps up to 64 KiB of the binary around each code
//! page that faults in, so scattered hot functions would keep most of the binary resident
//! (docs/MEMORY.md, "Code layout").
//!
//! The list only moves sections: a stale list (renamed functions, other dependency
//! versions) costs memory, never correctness, and lld's warnings about symbols it lacks
//! are silenced. It needs lld, the default linker of x86_64-unknown-linux-gnu since Rust
//! 1.90 (rust-lld ships with rustup); builds for other targets, debug builds and builds
//! that ask for another linker do without it.

fn main() {
    println!("cargo:rerun-if-changed=link/hot-symbols.txt");
    println!("cargo:rerun-if-env-changed=LITEWIRE_NO_SYMBOL_ORDER");
    let target = std::env::var("TARGET").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    // A linker chosen by hand (`-Clinker-features=-lld`, `-fuse-ld=...`, `-Clinker=...`,
    // `target.<triple>.linker`) may not know lld's flag.
    let rustflags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let other_linker = ["linker-features=-lld", "fuse-ld", "linker="]
        .iter()
        .any(|f| rustflags.contains(f))
        || std::env::var_os("RUSTC_LINKER").is_some();
    let opted_out = std::env::var_os("LITEWIRE_NO_SYMBOL_ORDER").is_some();
    if target != "x86_64-unknown-linux-gnu" || !release || other_linker || opted_out {
        return;
    }
    if !rustc_links_with_lld() {
        println!("cargo:warning=Rust before 1.90 links with the system linker: code not packed");
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let list = std::path::Path::new(&dir).join("link/hot-symbols.txt");
    if !list.exists() {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bin=litewire=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    println!("cargo:rustc-link-arg-bin=litewire=-Wl,--no-warn-symbol-ordering");
}

/// Whether this rustc is 1.90 or newer, where lld is the default linker of the target.
fn rustc_links_with_lld() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = std::process::Command::new(rustc).arg("--version").output() else {
        return false;
    };
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let text = String::from_utf8_lossy(&out.stdout);
    let mut version = text.split_whitespace().nth(1).unwrap_or("").split('.');
    let major: u32 = version.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    let minor: u32 = version.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    (major, minor) >= (1, 90)
}
