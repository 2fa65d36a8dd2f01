//! Statements as pg_dump 15 writes them (issue 10: "pg_dump files unmodified"), each
//! checked for PostgreSQL 15's outcome: schema-qualified names where SQLite wants none.

use crate::common::{rows, sqlstate, Server};

#[tokio::test]
async fn qualified_view_names_and_foreign_key_tables_are_read() {
    let s = Server::start(&[]);
    let c = s.connect("restore").await;
    c.batch_execute(
        "CREATE TABLE public.authors (id integer NOT NULL PRIMARY KEY, name text); \
         CREATE TABLE public.books (id integer, author_id integer, price numeric(8,2)); \
         INSERT INTO public.authors VALUES (1, 'Ann'); \
         INSERT INTO public.books VALUES (1, 1, 9.99), (2, 1, 19.50)",
    )
    .await
    .unwrap();
    c.batch_execute(
        "CREATE VIEW public.cheap_books AS\n SELECT books.id\n   FROM public.books\n  \
         WHERE (books.price < (10)::numeric);\n\
         ALTER TABLE ONLY public.books\n    ADD CONSTRAINT books_author_id_fkey FOREIGN KEY \
         (author_id) REFERENCES public.authors(id) ON DELETE CASCADE;\n\
         CREATE TABLE public.reviews (book integer REFERENCES public.authors(id))",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select id from cheap_books").await,
        vec![vec![Some("1".to_string())]]
    );
    let e = c
        .simple_query("insert into books values (3, 99, 1)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    let e = c
        .simple_query("insert into reviews values (99)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    // The cascade the dump declared.
    c.batch_execute("delete from authors").await.unwrap();
    assert_eq!(
        rows(&c, "select count(*) from books").await,
        vec![vec![Some("0".to_string())]]
    );
}
