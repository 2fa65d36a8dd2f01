// TLS with pgjdbc (sslmode=verify-full, the test CA as sslrootcert), run by the Rust
// test `client_tls` (tests/it/clients.rs) against a litewire with TLS, a hostssl trust
// rule and a hostnossl reject rule: TLS gets in, a plain connection is refused with
// 28000. Exits non-zero with the mismatches.
import java.sql.*;
import java.util.*;

public class TlsCheck {
    static String connect(String url, Properties p) {
        try (Connection conn = DriverManager.getConnection(url, p);
             ResultSet rs = conn.createStatement().executeQuery("SELECT 6 * 7")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return e.getSQLState() + " " + e.getMessage();
        }
    }

    public static void main(String[] args) throws Exception {
        String host = System.getenv().getOrDefault("LITEWIRE_HOST", "127.0.0.1");
        String url = "jdbc:postgresql://" + host + ":" + System.getenv("LITEWIRE_PORT") + "/tls_java";
        List<String> failures = new ArrayList<>();

        Properties secure = new Properties();
        secure.setProperty("user", "tester");
        secure.setProperty("sslmode", "verify-full");
        secure.setProperty("sslrootcert", System.getenv("LITEWIRE_TLS_CA"));
        String got = connect(url, secure);
        if (!"42".equals(got)) failures.add("verify-full: got " + got);

        Properties plain = new Properties();
        plain.setProperty("user", "tester");
        plain.setProperty("sslmode", "disable");
        got = connect(url, plain);
        if (!got.startsWith("28000")) failures.add("plain: got " + got + ", want 28000");

        if (!failures.isEmpty()) {
            System.err.println(String.join("\n", failures));
            System.exit(1);
        }
        System.out.println("java tls: pgjdbc passed");
    }
}
