// pgjdbc (the PostgreSQL JDBC driver) against a live litewire.
//
// A single-file Java 17 program run with the source launcher, no build tool:
//
//   LITEWIRE_HOST=127.0.0.1 LITEWIRE_PORT=5433 \
//     java -cp /usr/share/java/postgresql.jar JdbcTest.java
//
// (tests/it/clients.rs runs it so; Debian: apt-get install libpostgresql-jdbc-java.)
// Every check prints what it checked; the first failure prints FAIL and exits 1. A
// knownFailure(...) section is a litewire bug kept as a test: it prints and continues.
//
// pgjdbc always uses the extended protocol. Things covered that are specific to it: the
// 5th execution of a PreparedStatement is parsed as a named server statement (S_1...) and
// from the 6th on the driver asks for binary results (int, long, double, bytea, timestamp),
// so the prepared-statement checks run each statement 10 times and compare every value.
//
// DatabaseMetaData: getTables and getColumns (pg_class, pg_attribute, pg_type, ...).
// Not covered: getPrimaryKeys/getIndexInfo/getImportedKeys, whose queries use
// information_schema._pg_expandarray and composite fields litewire does not have.

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TimeZone;

public class JdbcTest {
    static final String HOST = env("LITEWIRE_HOST", "127.0.0.1");
    static final String PORT = env("LITEWIRE_PORT", "5433");
    static final String USER = env("LITEWIRE_USER", "jdbc");
    /** The server_version major expected (15 for litewire by default, its --server-version; 15 for a PostgreSQL 15 too). */
    static final String MAJOR = env("LITEWIRE_EXPECT_MAJOR", "15");
    /** Makes database names unique per run (litewire creates `<name>.db` on connect). */
    static final String SUFFIX = env("LITEWIRE_DB_SUFFIX",
            Long.toString(System.currentTimeMillis(), 36) + ProcessHandle.current().pid());

    static int checks = 0;
    static final List<String> knownFailures = new ArrayList<>();

    // ---------------------------------------------------------------- assertions

    static final class CheckFailed extends RuntimeException {
        CheckFailed(String message) {
            super(message);
        }
    }

    static void check(String what, boolean ok) {
        if (!ok) {
            throw new CheckFailed(what);
        }
        checks++;
        System.out.println("ok   " + what);
    }

    static void eq(String what, Object expected, Object actual) {
        boolean same = expected instanceof byte[] && actual instanceof byte[]
                ? Arrays.equals((byte[]) expected, (byte[]) actual)
                : Objects.equals(expected, actual);
        if (!same) {
            throw new CheckFailed(what + ": expected " + show(expected) + ", got " + show(actual));
        }
        checks++;
        System.out.println("ok   " + what + " = " + show(actual));
    }

    static String show(Object o) {
        if (o instanceof byte[] b) {
            return "bytes" + Arrays.toString(b);
        }
        if (o instanceof int[] a) {
            return Arrays.toString(a);
        }
        return o instanceof String ? "\"" + o + "\"" : String.valueOf(o);
    }

    interface Body {
        void run() throws Exception;
    }

    /** Expects `body` to throw an SQLException with this SQLSTATE. */
    static void sqlState(String what, String state, Body body) throws Exception {
        try {
            body.run();
        } catch (SQLException e) {
            eq(what + " (SQLSTATE; message: " + e.getMessage().lines().findFirst().orElse("") + ")",
                    state, e.getSQLState());
            return;
        }
        throw new CheckFailed(what + ": expected SQLSTATE " + state + ", but no error");
    }

    /** A litewire bug kept as a test: a failure is printed and the run goes on. */
    static void knownFailure(String what, String reason, Body body) {
        try {
            body.run();
            System.out.println("NOTE " + what + ": known failure now passes (" + reason + ")");
        } catch (Throwable e) {
            knownFailures.add(what);
            System.out.println("KNOWN FAILURE " + what + "\n     " + reason + "\n     got: " + e);
        }
    }

    static void section(String name) {
        System.out.println("\n== " + name);
    }

    // ---------------------------------------------------------------- helpers

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    static String url(String db) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + db + "_" + SUFFIX + "?user=" + USER;
    }

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(url(db));
    }

    static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            check("one row from " + sql, rs.next());
            return rs.getLong(1);
        }
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    // ---------------------------------------------------------------- tests

    static void connectAndMetadata() throws Exception {
        section("connect, product version, isValid");
        try (Connection c = connect("jdbc_connect")) {
            DatabaseMetaData md = c.getMetaData();
            eq("getDatabaseProductName", "PostgreSQL", md.getDatabaseProductName());
            String version = md.getDatabaseProductVersion();
            check("getDatabaseProductVersion starts with " + MAJOR + " (" + version + ")",
                    version.startsWith(MAJOR));
            eq("getDatabaseMajorVersion", Integer.parseInt(MAJOR), md.getDatabaseMajorVersion());
            check("isValid(5)", c.isValid(5));
            check("autocommit on by default", c.getAutoCommit());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1 + 1")) {
                check("select 1 + 1 has a row", rs.next());
                eq("select 1 + 1", 2, rs.getInt(1));
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("show application_name")) {
                check("show application_name has a row", rs.next());
                eq("application_name set by the driver", "PostgreSQL JDBC Driver", rs.getString(1));
            }
        }
    }

    static void databaseMetaData() throws Exception {
        section("DatabaseMetaData getTables / getColumns");
        try (Connection c = connect("jdbc_meta"); Statement s = c.createStatement()) {
            s.execute("create table meta_t (id integer primary key, name varchar(20) not null, "
                    + "born date, score double precision default 1.5)");
            s.execute("create view meta_v as select id, name from meta_t");
            DatabaseMetaData md = c.getMetaData();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "meta%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":"
                            + rs.getString("TABLE_TYPE"));
                }
            }
            eq("getTables", List.of("public.meta_t:TABLE", "public.meta_v:VIEW"), tables);
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "meta_t", "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " "
                            + rs.getInt("DATA_TYPE") + " " + rs.getInt("COLUMN_SIZE") + " "
                            + rs.getString("IS_NULLABLE") + " " + rs.getString("COLUMN_DEF"));
                }
            }
            eq("getColumns", List.of(
                    "id int4 " + Types.INTEGER + " 10 NO null",
                    "name varchar " + Types.VARCHAR + " 20 NO null",
                    "born date " + Types.DATE + " 13 YES null",
                    "score float8 " + Types.DOUBLE + " 17 YES 1.5"), cols);
        }
    }

    static void statementCrud() throws Exception {
        section("Statement CRUD");
        try (Connection c = connect("jdbc_crud"); Statement s = c.createStatement()) {
            eq("create table update count", 0,
                    s.executeUpdate("create table t (id integer primary key, name text, score double precision)"));
            eq("insert 3 rows", 3,
                    s.executeUpdate("insert into t values (1, 'one', 1.5), (2, 'two', 2.5), (3, 'three', null)"));
            try (ResultSet rs = s.executeQuery("select id, name, score from t order by id")) {
                ResultSetMetaData md = rs.getMetaData();
                eq("column count", 3, md.getColumnCount());
                eq("column 1 name", "id", md.getColumnName(1));
                eq("column 1 type", Types.INTEGER, md.getColumnType(1));
                eq("column 2 type name", "text", md.getColumnTypeName(2));
                eq("column 3 type", Types.DOUBLE, md.getColumnType(3));
                check("row 1", rs.next());
                eq("row 1 id", 1, rs.getInt("id"));
                eq("row 1 name", "one", rs.getString("name"));
                eq("row 1 score", 1.5, rs.getDouble("score"));
                check("row 2", rs.next());
                eq("row 2 name", "two", rs.getString(2));
                check("row 3", rs.next());
                eq("row 3 score (null as double)", 0.0, rs.getDouble(3));
                check("row 3 score wasNull", rs.wasNull());
                eq("row 3 score getObject", null, rs.getObject(3));
                check("no row 4", !rs.next());
            }
            eq("update 2 rows", 2, s.executeUpdate("update t set name = upper(name) where id >= 2"));
            eq("delete 1 row", 1, s.executeUpdate("delete from t where id = 3"));
            eq("update matching nothing", 0, s.executeUpdate("update t set name = 'x' where id = 99"));
            check("execute(select) returns true", s.execute("select name from t order by id"));
            try (ResultSet rs = s.getResultSet()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                eq("names after update/delete", List.of("one", "TWO"), names);
            }
            check("execute(insert) returns false", !s.execute("insert into t values (4, 'four', 4.0)"));
            eq("getUpdateCount after insert", 1, s.getUpdateCount());
            eq("count(*)", 3L, count(c, "select count(*) from t"));
            try (ResultSet rs = s.executeQuery("select count(*) from t")) {
                rs.next();
                eq("count(*) column type is int8", Types.BIGINT, rs.getMetaData().getColumnType(1));
            }
            s.executeUpdate("drop table t");
            sqlState("select from a dropped table", "42P01", () -> s.executeQuery("select * from t"));
        }
    }

    static final int ROWS = 10;

    static Timestamp tsFor(int i) {
        return Timestamp.valueOf(LocalDateTime.of(2024, 2, 29, 13, 45, i, i * 1_000_000));
    }

    static void preparedStatements() throws Exception {
        section("PreparedStatement executed " + ROWS + " times (named S_n from the 5th, binary results from the 6th)");
        try (Connection c = connect("jdbc_prepared")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("create table p (id integer primary key, i integer, l bigint, d double precision,"
                        + " s text, b boolean, data bytea, ts timestamp, v varchar(20))");
            }
            try (PreparedStatement ins = c.prepareStatement("insert into p values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    ins.setInt(1, i);
                    if (i % 3 == 0) { // every third row is all NULLs
                        ins.setNull(2, Types.INTEGER);
                        ins.setNull(3, Types.BIGINT);
                        ins.setNull(4, Types.DOUBLE);
                        ins.setNull(5, Types.VARCHAR);
                        ins.setNull(6, Types.BOOLEAN);
                        ins.setNull(7, Types.BINARY);
                        ins.setNull(8, Types.TIMESTAMP);
                        ins.setNull(9, Types.VARCHAR);
                    } else {
                        ins.setInt(2, -i * 1000);
                        ins.setLong(3, 9_007_199_254_740_993L * (i % 2 == 0 ? -1 : 1) + i);
                        ins.setDouble(4, i + 0.25);
                        ins.setString(5, "row " + i + " 'quoted' é");
                        ins.setBoolean(6, i % 2 == 0);
                        ins.setBytes(7, bytes(0, i, 0x7f, 0x80, 0xff));
                        ins.setTimestamp(8, tsFor(i));
                        ins.setString(9, "v" + i);
                    }
                    eq("insert execution " + i + " update count", 1, ins.executeUpdate());
                }
            }
            try (PreparedStatement sel = c.prepareStatement(
                    "select id, i, l, d, s, b, data, ts, v from p where id = ?")) {
                for (int round = 1; round <= ROWS; round++) {
                    int i = ((round * 7) % ROWS) + 1; // all ids, in a scrambled order
                    String at = "execution " + round + " (id " + i + ")";
                    sel.setInt(1, i);
                    try (ResultSet rs = sel.executeQuery()) {
                        check(at + ": has a row", rs.next());
                        eq(at + ": id", i, rs.getInt(1));
                        if (i % 3 == 0) {
                            for (int col = 2; col <= 9; col++) {
                                eq(at + ": column " + col + " is NULL", null, rs.getObject(col));
                            }
                            eq(at + ": getInt of NULL", 0, rs.getInt(2));
                            check(at + ": wasNull", rs.wasNull());
                            eq(at + ": getBoolean of NULL", false, rs.getBoolean(6));
                            check(at + ": wasNull (bool)", rs.wasNull());
                        } else {
                            eq(at + ": int", -i * 1000, rs.getInt(2));
                            eq(at + ": long", 9_007_199_254_740_993L * (i % 2 == 0 ? -1 : 1) + i, rs.getLong(3));
                            eq(at + ": double", i + 0.25, rs.getDouble(4));
                            eq(at + ": string", "row " + i + " 'quoted' é", rs.getString(5));
                            eq(at + ": boolean", i % 2 == 0, rs.getBoolean(6));
                            eq(at + ": bytes", bytes(0, i, 0x7f, 0x80, 0xff), rs.getBytes(7));
                            eq(at + ": timestamp", tsFor(i), rs.getTimestamp(8));
                            eq(at + ": varchar", "v" + i, rs.getString(9));
                        }
                        check(at + ": one row only", !rs.next());
                    }
                }
                ResultSetMetaData md = sel.getMetaData();
                eq("metadata: int column", Types.INTEGER, md.getColumnType(2));
                eq("metadata: bigint column", Types.BIGINT, md.getColumnType(3));
                eq("metadata: bool column", Types.BIT, md.getColumnType(6));
                eq("metadata: bytea column", Types.BINARY, md.getColumnType(7));
                eq("metadata: timestamp column", Types.TIMESTAMP, md.getColumnType(8));
            }
            // A statement with several parameters in the WHERE clause, also past the switch.
            try (PreparedStatement q = c.prepareStatement(
                    "select count(*) from p where i < ? and d > ? and s like ?")) {
                for (int round = 1; round <= 8; round++) {
                    q.setInt(1, 0);
                    q.setDouble(2, round);
                    q.setString(3, "row%");
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        long expected = 0;
                        for (int i = 1; i <= ROWS; i++) {
                            if (i % 3 != 0 && i + 0.25 > round) {
                                expected++;
                            }
                        }
                        eq("count execution " + round, expected, rs.getLong(1));
                    }
                }
            }
            // Updates through a PreparedStatement, 8 times.
            try (PreparedStatement up = c.prepareStatement("update p set i = i + ? where id = ?")) {
                for (int round = 1; round <= 8; round++) {
                    up.setInt(1, 1);
                    up.setInt(2, 1);
                    eq("update execution " + round, 1, up.executeUpdate());
                }
            }
            eq("i after 8 updates", -1000L + 8, count(c, "select i from p where id = 1"));
        }
    }

    /**
     * setTimestamp sends text with the JVM zone's offset (`2024-02-29 13:45:06.005+01`, OID 0).
     * PostgreSQL drops the offset for a `timestamp` column; litewire stores the text as sent,
     * which reads back right as text (pgjdbc applies the offset) but wrong in binary, where
     * litewire converts it to UTC: from the 6th execution on the value is off by the offset.
     */
    static void timestampsInAnotherZone() throws Exception {
        section("timestamp parameters with a non-UTC JVM zone, past the binary switch");
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Paris"));
        try (Connection c = connect("jdbc_timezone")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("create table tz (id integer primary key, ts timestamp, tstz timestamptz)");
            }
            Timestamp t = Timestamp.valueOf(LocalDateTime.of(2024, 2, 29, 13, 45, 6, 5_000_000));
            try (PreparedStatement ins = c.prepareStatement("insert into tz values (?, ?, ?)")) {
                ins.setInt(1, 1);
                ins.setTimestamp(2, t);
                ins.setTimestamp(3, t);
                eq("insert", 1, ins.executeUpdate());
            }
            try (PreparedStatement sel = c.prepareStatement("select ts, tstz from tz where id = ?")) {
                for (int round = 1; round <= 8; round++) {
                    sel.setInt(1, 1);
                    try (ResultSet rs = sel.executeQuery()) {
                        rs.next();
                        eq("timestamptz, execution " + round, t, rs.getTimestamp(2));
                        // Text results up to the 5th execution, binary from the 6th.
                        eq("timestamp, execution " + round, t, rs.getTimestamp(1));
                    }
                }
            }
        } finally {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        }
    }

    static void batches() throws Exception {
        section("batches");
        try (Connection c = connect("jdbc_batch")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("create table b (id integer primary key, name text)");
            }
            try (PreparedStatement ps = c.prepareStatement("insert into b values (?, ?)")) {
                for (int i = 1; i <= 5; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "n" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                eq("prepared batch update counts", "[1, 1, 1, 1, 1]", Arrays.toString(counts));
            }
            eq("rows after the prepared batch", 5L, count(c, "select count(*) from b"));
            try (Statement s = c.createStatement()) {
                s.addBatch("insert into b values (6, 'n6')");
                s.addBatch("update b set name = upper(name) where id <= 3");
                s.addBatch("delete from b where id = 5");
                int[] counts = s.executeBatch();
                eq("statement batch update counts", "[1, 3, 1]", Arrays.toString(counts));
            }
            eq("rows after the statement batch", 5L, count(c, "select count(*) from b"));
            // A batch that fails on its third row: pgjdbc runs it in one implicit transaction,
            // so nothing of it stays.
            try (PreparedStatement ps = c.prepareStatement("insert into b values (?, ?)")) {
                for (int id : new int[] {10, 11, 1, 12}) {
                    ps.setInt(1, id);
                    ps.setString(2, "x");
                    ps.addBatch();
                }
                try {
                    ps.executeBatch();
                    throw new CheckFailed("a batch with a duplicate key should fail");
                } catch (BatchUpdateException e) {
                    eq("failed batch SQLSTATE", "23505", e.getSQLState());
                }
            }
            eq("rows after the failed batch (all rolled back)", 5L, count(c, "select count(*) from b"));
        }
    }

    static void transactions() throws Exception {
        section("autocommit off: commit and rollback");
        try (Connection c = connect("jdbc_tx"); Connection other = connect("jdbc_tx")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("create table acct (id integer primary key, balance integer)");
                s.executeUpdate("insert into acct values (1, 100), (2, 0)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("update acct set balance = balance + ? where id = ?")) {
                ps.setInt(1, -30);
                ps.setInt(2, 1);
                eq("debit", 1, ps.executeUpdate());
                ps.setInt(1, 30);
                ps.setInt(2, 2);
                eq("credit", 1, ps.executeUpdate());
            }
            eq("other connection does not see the uncommitted update", 100L,
                    count(other, "select balance from acct where id = 1"));
            c.commit();
            eq("other connection sees the commit", 70L, count(other, "select balance from acct where id = 1"));

            try (Statement s = c.createStatement()) {
                s.executeUpdate("insert into acct values (3, 999)");
                s.executeUpdate("update acct set balance = 0");
                s.executeUpdate("delete from acct where id = 1");
                eq("inside the transaction", 2L, count(c, "select count(*) from acct"));
            }
            c.rollback();
            eq("rollback discarded the insert/update/delete", 2L, count(c, "select count(*) from acct"));
            eq("balance 1 after rollback", 70L, count(c, "select balance from acct where id = 1"));
            eq("balance 2 after rollback", 30L, count(c, "select balance from acct where id = 2"));
            c.commit();

            // Many commits in a row: pgjdbc prepares COMMIT as a server statement after a few.
            try (PreparedStatement ps = c.prepareStatement("insert into acct values (?, ?)")) {
                for (int i = 10; i < 20; i++) {
                    ps.setInt(1, i);
                    ps.setInt(2, i);
                    ps.executeUpdate();
                    if (i % 2 == 0) {
                        c.commit();
                    } else {
                        c.rollback();
                    }
                }
            }
            eq("5 of 10 single-row transactions committed", 5L,
                    count(other, "select count(*) from acct where id >= 10"));
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("insert into acct values (30, 30)");
            }
            eq("autocommit back on: visible at once", 1L,
                    count(other, "select count(*) from acct where id = 30"));
        }
    }

    static void rollbackAfterError() throws Exception {
        section("autocommit off: an error, then rollback");
        try (Connection c = connect("jdbc_tx_error")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("create table u (id integer primary key)");
                s.executeUpdate("insert into u values (1)");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("insert into u values (2)");
                sqlState("duplicate key inside a transaction", "23505",
                        () -> s.executeUpdate("insert into u values (1)"));
                sqlState("next statement in the failed transaction", "25P02",
                        () -> s.executeQuery("select 1"));
            }
            // pgjdbc sends ROLLBACK through Parse/Bind/Execute; PostgreSQL accepts it in a
            // failed transaction.
            c.rollback();
            check("rollback after an error succeeded", true);
            eq("the insert before the error was rolled back", 1L, count(c, "select count(*) from u"));
            c.commit();
        }
    }

    static void errors() throws Exception {
        section("SQLSTATE of errors");
        try (Connection c = connect("jdbc_errors"); Statement s = c.createStatement()) {
            s.executeUpdate("create table u (id integer primary key, email text unique)");
            s.executeUpdate("insert into u values (1, 'a@x')");
            sqlState("unique violation (Statement)", "23505",
                    () -> s.executeUpdate("insert into u values (2, 'a@x')"));
            try (PreparedStatement ps = c.prepareStatement("insert into u values (?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, "b@x");
                sqlState("primary key violation (PreparedStatement)", "23505", ps::executeUpdate);
            }
            sqlState("missing table (Statement)", "42P01", () -> s.executeQuery("select * from nowhere"));
            try (PreparedStatement ps = c.prepareStatement("select * from nowhere where id = ?")) {
                ps.setInt(1, 1);
                sqlState("missing table (PreparedStatement)", "42P01", ps::executeQuery);
            }
            sqlState("syntax error", "42601", () -> s.executeQuery("selec 1"));
            eq("connection usable after errors", 1L, count(c, "select count(*) from u"));
        }
    }

    public static void main(String[] args) throws Exception {
        // Timestamps are compared as local date-times: pin the JVM zone (sent as TimeZone).
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        System.out.println("pgjdbc against " + url("<db>") + " (driver "
                + new org.postgresql.Driver().getMajorVersion() + "."
                + new org.postgresql.Driver().getMinorVersion() + ")");
        try {
            connectAndMetadata();
            databaseMetaData();
            statementCrud();
            preparedStatements();
            timestampsInAnotherZone();
            batches();
            transactions();
            rollbackAfterError();
            errors();
        } catch (CheckFailed | SQLException e) {
            System.out.println("FAIL " + e.getMessage());
            e.printStackTrace(System.out);
            System.out.println("\n" + checks + " checks passed before the failure");
            System.exit(1);
        }
        System.out.println("\n" + checks + " checks passed; " + knownFailures.size() + " known failure(s)"
                + (knownFailures.isEmpty() ? "" : ": " + knownFailures));
    }
}
