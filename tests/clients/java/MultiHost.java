// pgjdbc's multi-host routing against a litewire primary and hot standby, run by the
// Rust test `jdbc_multi_host_strings_land_on_the_right_node` (tests/it/replica.rs).
// LITEWIRE_HOSTS is "host:port,host:port"; each argument is `targetServerType=t|f`:
// connecting with that targetServerType must land on a node whose pg_is_in_recovery()
// is that value, and a `primary` connection must be able to write.
// Exits non-zero with the mismatches.
import java.sql.*;
import java.util.*;

public class MultiHost {
    public static void main(String[] args) throws Exception {
        String hosts = System.getenv("LITEWIRE_HOSTS");
        List<String> failures = new ArrayList<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            String type = kv[0];
            boolean wantRecovery = kv[1].equals("t");
            Properties p = new Properties();
            p.setProperty("user", "app");
            p.setProperty("sslmode", "disable");
            p.setProperty("targetServerType", type);
            String url = "jdbc:postgresql://" + hosts + "/app";
            try (Connection c = DriverManager.getConnection(url, p);
                 Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()");
                rs.next();
                boolean recovery = rs.getBoolean(1);
                if (recovery != wantRecovery) {
                    failures.add(type + ": pg_is_in_recovery() is " + recovery);
                }
                if (type.equals("primary")) {
                    st.executeUpdate("INSERT INTO routed (via) VALUES ('jdbc')");
                }
            } catch (SQLException e) {
                failures.add(type + ": " + e.getSQLState() + " " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            System.err.println(String.join("\n", failures));
            System.exit(1);
        }
        System.out.println("pgjdbc multi-host routing: " + args.length + " cases ok");
    }
}
