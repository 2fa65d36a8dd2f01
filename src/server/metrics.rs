//! Prometheus metrics over HTTP (`--metrics-listen`): the memory report by owner, clients
//! by state, open databases. One small response per request, no HTTP library needed.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::admin::memory_report;
use super::Shared;

/// The metrics in Prometheus' text exposition format.
pub fn render(shared: &Shared) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP litewire_memory_bytes Resident memory by owner (owner=\"rss\" is the total).\n",
    );
    out.push_str("# TYPE litewire_memory_bytes gauge\n");
    for r in memory_report(shared) {
        if r.owner == "database" {
            let name = r.detail.split(':').next().unwrap_or("");
            out.push_str(&format!(
                "litewire_database_heap_bytes{{database=\"{name}\"}} {}\n",
                r.bytes
            ));
        } else {
            out.push_str(&format!(
                "litewire_memory_bytes{{owner=\"{}\"}} {}\n",
                r.owner, r.bytes
            ));
        }
    }
    out.push_str(
        "# HELP litewire_clients Connected clients by state.\n# TYPE litewire_clients gauge\n",
    );
    for (state, n) in shared.registry.count_by_state() {
        out.push_str(&format!("litewire_clients{{state=\"{state}\"}} {n}\n"));
    }
    for c in super::stats::COUNTERS {
        out.push_str(&format!(
            "# HELP litewire_{0}_total {1}\n# TYPE litewire_{0}_total counter\nlitewire_{0}_total {2}\n",
            c.name,
            c.help,
            c.get()
        ));
    }
    out.push_str("# HELP litewire_errors_total Errors sent to clients, by SQLSTATE class.\n");
    out.push_str("# TYPE litewire_errors_total counter\n");
    for (class, n) in super::stats::errors_by_class() {
        out.push_str(&format!("litewire_errors_total{{class=\"{class}\"}} {n}\n"));
    }
    out.push_str("# HELP litewire_databases_open Databases with open connections or sessions.\n");
    out.push_str("# TYPE litewire_databases_open gauge\n");
    out.push_str(&format!(
        "litewire_databases_open {}\n",
        shared.engine.open_databases()
    ));
    out
}

/// Answers every request on `listener` with the metrics.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            // The request itself does not matter; read what arrives first (bounded).
            let mut buf = [0u8; 1024];
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(5), sock.read(&mut buf)).await;
            let body = render(&shared);
            let head = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(body.as_bytes()).await;
        });
    }
}
