//! `BACKUP DATABASE` in the admin console (issue 12): online, consistent copies written
//! only inside the data folder's `backups` folder; restoring is copying one back.

use crate::common::{rows, sqlstate, Server};

/// A backup taken while a writer commits pairs of rows (one in each table, one
/// transaction per pair) holds whole transactions only: both tables have the same
/// count, the copy passes integrity_check, and a copy put back into the data folder is
/// a database like any other.
#[tokio::test]
async fn backup_is_a_consistent_copy_taken_under_writes() {
    let s = Server::start(&[]);
    let app = s.connect("shop").await;
    app.batch_execute(
        "create table a (id int primary key, pad text); create table b (id int primary key); \
         insert into a select i, repeat('x', 500) from generate_series(1, 20000) i; \
         insert into b select i from generate_series(1, 20000) i",
    )
    .await
    .unwrap();
    let writer = s.connect("shop").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let load = tokio::spawn(async move {
        let mut i = 20000;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            i += 1;
            writer
                .batch_execute(&format!(
                    "begin; insert into a values ({i}, 'y'); insert into b values ({i}); commit"
                ))
                .await
                .unwrap();
        }
        i
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let admin = s.connect("litewire").await;
    let got = rows(&admin, "BACKUP DATABASE shop TO 'shop-1.db'").await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let last = load.await.unwrap();
    assert_eq!(got[0][0].as_deref(), Some("shop"));
    assert_eq!(got[0][1].as_deref(), Some("backups/shop-1.db"));
    let file = s.data_dir().join("backups/shop-1.db");
    assert_eq!(
        got[0][2].as_deref(),
        Some(std::fs::metadata(&file).unwrap().len().to_string().as_str())
    );
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(s.data_dir().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["shop-1.db".to_string()]);
    // Restoring: the copy put in the data folder under a new name.
    std::fs::copy(&file, s.data_dir().join("shop_restored.db")).unwrap();
    let r = s.connect("shop_restored").await;
    let counts = rows(
        &r,
        "select (select count(*) from a), (select count(*) from b), \
         (select max(id) from a) = (select max(id) from b)",
    )
    .await;
    let n: i64 = counts[0][0].as_deref().unwrap().parse().unwrap();
    assert_eq!(counts[0][0], counts[0][1], "a torn copy: {counts:?}");
    assert_eq!(counts[0][2].as_deref(), Some("t"));
    assert!((20000..=i64::from(last)).contains(&n), "{n} of {last}");
    assert_eq!(
        rows(&r, "pragma integrity_check").await,
        vec![vec![Some("ok".to_string())]]
    );
}

/// Names, not paths: 42602 for `..`, `/`, absolute paths; 3D000 for a database with no
/// file; 58P02 rather than replacing a file; ALL writes every database into a folder.
#[tokio::test]
async fn backup_refuses_paths_and_existing_files() {
    let s = Server::start(&[]);
    let app = s.connect("one").await;
    app.batch_execute("create table t (x int); insert into t values (1)")
        .await
        .unwrap();
    s.connect("two").await;
    let admin = s.connect("litewire").await;
    for (sql, code) in [
        ("BACKUP DATABASE one TO '../one.db'", "42602"),
        ("BACKUP DATABASE one TO '/tmp/one.db'", "42602"),
        ("BACKUP DATABASE one TO 'sub/one.db'", "42602"),
        ("BACKUP DATABASE one TO '..'", "42602"),
        ("BACKUP DATABASE \"../one\" TO 'x.db'", "42602"),
        ("BACKUP DATABASE nope TO 'x.db'", "3D000"),
        ("BACKUP DATABASE one TO x", "42601"),
    ] {
        let e = admin.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
    assert!(!s.data_dir().join("one.db.bak").exists());
    rows(&admin, "BACKUP DATABASE one TO 'one.db'").await;
    let e = admin
        .simple_query("BACKUP DATABASE one TO 'one.db'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "58P02", "{e}");
    let all = rows(&admin, "backup database all to 'nightly'").await;
    let files: Vec<&str> = all.iter().map(|r| r[1].as_deref().unwrap()).collect();
    assert!(files.contains(&"backups/nightly/one.db"), "{files:?}");
    assert!(files.contains(&"backups/nightly/two.db"), "{files:?}");
    // The backups folder is no database.
    let dbs = rows(&app, "select datname from pg_database order by 1").await;
    assert!(!dbs.iter().any(|r| r[0].as_deref() == Some("backups")));
}
