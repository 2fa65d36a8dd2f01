use super::*;

#[test]
fn statements_without_the_clauses_are_left_alone() {
    assert_eq!(rewrite("select search from t").unwrap(), None);
    assert_eq!(rewrite("select 1").unwrap(), None);
}

#[test]
fn search_alone_goes_when_its_column_is_not_read() {
    let out = rewrite(
        "with recursive t(x) as (select 1 union all select x + 1 from t where x < 3) \
         search depth first by x set seq select x from t",
    )
    .unwrap()
    .unwrap();
    assert!(!out.to_lowercase().contains("search"), "{out}");
    assert!(out.ends_with("select x from t"), "{out}");
    crate::sql::parse::parse_one(&out, 64).unwrap();
}

#[test]
fn cycle_adds_a_mark_and_a_path() {
    let out = rewrite(
        "with recursive g(f, t) as (select * from e union all select e.* from e, g sg \
         where e.f = sg.t) cycle f, t set is_cycle using path select f, t from g",
    )
    .unwrap()
    .unwrap();
    // The recursion runs on an inner CTE carrying the path of the rows before each row;
    // the CTE the query reads adds the mark and the path.
    assert!(
        out.starts_with("with recursive \"_lw_cycle g\"(\"f\", \"t\", _lw_prev_path) AS"),
        "{out}"
    );
    assert!(out.contains("from e, \"_lw_cycle g\" sg"), "{out}");
    assert!(out.contains("where strpos(\"sg\"._lw_prev_path,"), "{out}");
    assert!(out.contains("AND ( e.f = sg.t)"), "{out}");
    assert!(
        out.contains("\"g\"(\"f\", \"t\", \"is_cycle\", \"path\") AS (SELECT"),
        "{out}"
    );
    assert!(out.ends_with(" select f, t from g"), "{out}");
    crate::sql::parse::parse_one(&out, 64).unwrap();
    // Reading the mark in the recursive term is refused (it is the outer CTE's).
    let e = rewrite(
        "with recursive a(x) as (select 0 union all select x + 1 from a where not c) \
         cycle x set c using p select x from a",
    )
    .unwrap_err();
    assert_eq!(e.code.0, "0A000");
}

#[test]
fn reading_the_added_columns_is_refused() {
    let e = rewrite(
        "with recursive a as (select 1 as b union all select b from a) \
         cycle b set c using p select * from a",
    )
    .unwrap_err();
    assert_eq!(e.code.0, "0A000");
    let e = rewrite(
        "with recursive a as (select 1 as b union all select b from a) \
         search breadth first by b set s select b, s from a order by s",
    )
    .unwrap_err();
    assert_eq!(e.code.0, "0A000");
    // A bare `*` over the recursive reference would read them too.
    let e = rewrite(
        "with recursive a as (select 1 as b union all select * from a) \
         cycle b set c using p select b from a",
    )
    .unwrap_err();
    assert_eq!(e.code.0, "0A000");
    let e = rewrite(
        "with recursive a as (select 1 as b union all select b from a) \
         cycle z set c using p select b from a",
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "cycle column \"z\" not in WITH query column list"
    );
    let e = rewrite(
        "with recursive t(x) as (select 1 union all select x + 1 from t where x < 3) \
         search depth first by z set s select x from t",
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "search column \"z\" not in WITH query column list"
    );
    let e = rewrite(
        "with recursive t(x) as (select 1 union all select x + 1 from t where x < 3) \
         cycle x set c using c select x from t",
    )
    .unwrap_err();
    assert_eq!(e.code.0, "42601");
}
