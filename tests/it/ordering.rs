//! Where NULLs sort, and random(), as PostgreSQL 15 answers (NULL is larger than every
//! value: last ascending, first descending; SQLite does the opposite).

use crate::common::{rows, Server};

#[tokio::test]
async fn nulls_sort_as_in_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("ordering").await;
    let v = "(values (1), (null), (3)) v(x)";
    let cases: &[(String, &[Option<&str>])] = &[
        (
            format!("select x from {v} order by x"),
            &[Some("1"), Some("3"), None],
        ),
        (
            format!("select x from {v} order by x desc"),
            &[None, Some("3"), Some("1")],
        ),
        (
            format!("select x from {v} order by x nulls first"),
            &[None, Some("1"), Some("3")],
        ),
        (
            format!("select row_number() over (order by x) from {v} order by x nulls first"),
            &[Some("3"), Some("1"), Some("2")],
        ),
        (
            format!("select string_agg(coalesce(x::text, 'N'), ',' order by x desc) from {v}"),
            &[Some("N,3,1")],
        ),
    ];
    for (sql, want) in cases {
        let got: Vec<Option<String>> = rows(&c, sql)
            .await
            .into_iter()
            .map(|mut r| r.remove(0))
            .collect();
        let want: Vec<Option<String>> = want.iter().map(|w| w.map(String::from)).collect();
        assert_eq!(got, want, "{sql}");
    }
}

#[tokio::test]
async fn random_is_a_double_in_zero_to_one() {
    let s = Server::start(&[]);
    let c = s.connect("ordering").await;
    let got = rows(
        &c,
        "select min(r) >= 0, max(r) < 1, count(*) from \
         (select random() r from generate_series(1, 2000)) s",
    )
    .await;
    assert_eq!(
        got,
        vec![vec![
            Some("t".into()),
            Some("t".into()),
            Some("2000".into())
        ]]
    );
}
