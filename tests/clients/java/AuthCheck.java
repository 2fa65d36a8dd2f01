// Password authentication with pgjdbc, run by the Rust test `client_authentication`
// (tests/it/clients.rs) against a litewire started with the users and rules that test
// writes: alice (SCRAM verifier), bob (md5 hash), carol (cleartext rule); mallory has
// no rule. Exits non-zero with the mismatches.
import java.sql.*;
import java.util.*;

public class AuthCheck {
    public static void main(String[] args) throws Exception {
        String host = System.getenv().getOrDefault("LITEWIRE_HOST", "127.0.0.1");
        String port = System.getenv("LITEWIRE_PORT");
        String[][] cases = {
            {"alice", "alice-pw", "alice"}, {"alice", "wrong", "28P01"},
            {"bob", "bob-pw", "bob"}, {"bob", "wrong", "28P01"},
            {"carol", "carol-pw", "carol"}, {"carol", "wrong", "28P01"},
            {"mallory", "x", "28000"},
        };
        List<String> failures = new ArrayList<>();
        for (String[] c : cases) {
            Properties p = new Properties();
            p.setProperty("user", c[0]);
            p.setProperty("password", c[1]);
            p.setProperty("sslmode", "disable");
            String got;
            try (Connection conn = DriverManager.getConnection(
                    "jdbc:postgresql://" + host + ":" + port + "/auth_java", p);
                 ResultSet rs = conn.createStatement().executeQuery("SELECT current_user")) {
                rs.next();
                got = rs.getString(1);
            } catch (SQLException e) {
                got = e.getSQLState();
            }
            if (!c[2].equals(got)) {
                failures.add(c[0] + "/" + c[1] + ": got " + got + ", want " + c[2]);
            }
        }
        if (!failures.isEmpty()) {
            System.err.println(String.join("\n", failures));
            System.exit(1);
        }
        System.out.println("java auth: " + cases.length + " checks passed");
    }
}
