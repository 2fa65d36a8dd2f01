//! The triggers PostgreSQL makes for each foreign key (`pg_trigger`, internal): SQLite
//! enforces foreign keys without triggers, but PostgreSQL lists four per key, and clients
//! read them (`tgfoid::regproc`, `tgdeferrable`). Derived from pg_constraint's foreign-key
//! rows, as PostgreSQL's `createForeignKeyCheckTriggers` and
//! `createForeignKeyActionTriggers` make them: on the referenced table one trigger for
//! DELETE and one for UPDATE running the key's action, on the referencing table one for
//! INSERT and one for UPDATE checking the key. An action trigger is deferrable only for
//! NO ACTION (RESTRICT, CASCADE, SET NULL and SET DEFAULT act at once).

use super::tables::PG_CATALOG;

/// The referential-integrity trigger functions, with PostgreSQL's OIDs (pg_proc).
const FUNCTIONS: &[(i64, &str)] = &[
    (1644, "RI_FKey_check_ins"),
    (1645, "RI_FKey_check_upd"),
    (1646, "RI_FKey_cascade_del"),
    (1647, "RI_FKey_cascade_upd"),
    (1648, "RI_FKey_restrict_del"),
    (1649, "RI_FKey_restrict_upd"),
    (1650, "RI_FKey_setnull_del"),
    (1651, "RI_FKey_setnull_upd"),
    (1652, "RI_FKey_setdefault_del"),
    (1653, "RI_FKey_setdefault_upd"),
    (1654, "RI_FKey_noaction_del"),
    (1655, "RI_FKey_noaction_upd"),
];

/// A trigger's OID: this plus 4 × its key's number (the foreign key's pg_constraint
/// OID less the first one's) plus its place among the key's four.
const TRIGGER_OID: i64 = 1_600_000_000;

/// pg_proc's rows of [`FUNCTIONS`]: internal-language functions returning `trigger`.
pub(super) fn function_rows() -> String {
    let rows: Vec<String> = FUNCTIONS
        .iter()
        .map(|(oid, name)| {
            format!(
                "({oid}, '{name}', {PG_CATALOG}, 10, 12, 'f', 0, 2279, 0, '', '{name}', NULL, \
                 'v', 1, 0, 0, 's', 1, 0, 0, '-', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
            )
        })
        .collect();
    format!("VALUES {}", rows.join(", "))
}

/// pg_trigger's rows; `first_key` is the pg_constraint OID foreign keys count from.
/// One scan of pg_constraint, each key taken four times (`k.n`: the DELETE and UPDATE
/// action triggers, then the INSERT and UPDATE checks).
pub(super) fn trigger_rows(first_key: i64) -> String {
    // An action trigger's function, by the key's ON DELETE / ON UPDATE letter.
    let action = |column: &str, event: &str| {
        format!(
            "CASE c.{column} WHEN 'r' THEN {} WHEN 'c' THEN {} WHEN 'n' THEN {} \
             WHEN 'd' THEN {} ELSE {} END",
            oid_of(&format!("RI_FKey_restrict_{event}")),
            oid_of(&format!("RI_FKey_cascade_{event}")),
            oid_of(&format!("RI_FKey_setnull_{event}")),
            oid_of(&format!("RI_FKey_setdefault_{event}")),
            oid_of(&format!("RI_FKey_noaction_{event}")),
        )
    };
    // Deferrable as the key: a check always, an action only for NO ACTION.
    let deferrable = |flag: &str| {
        format!(
            "CASE k.n WHEN 0 THEN c.{flag} AND c.confdeltype = 'a' \
             WHEN 1 THEN c.{flag} AND c.confupdtype = 'a' ELSE c.{flag} END"
        )
    };
    let oid = format!("{TRIGGER_OID} + (c.oid - {first_key}) * 4 + k.n");
    // tgtype: ROW (1) with INSERT (4), DELETE (8) or UPDATE (16).
    format!(
        "SELECT {oid}, CASE WHEN k.n < 2 THEN c.confrelid ELSE c.conrelid END, 0, \
         'RI_ConstraintTrigger_' || CASE WHEN k.n < 2 THEN 'a' ELSE 'c' END || '_' || ({oid}), \
         CASE k.n WHEN 0 THEN {del} WHEN 1 THEN {upd} WHEN 2 THEN {ins_check} \
         ELSE {upd_check} END, CASE k.n WHEN 0 THEN 9 WHEN 2 THEN 5 ELSE 17 END, 'O', 1, \
         CASE WHEN k.n < 2 THEN c.conrelid ELSE c.confrelid END, c.conindid, c.oid, \
         {deferrable}, {deferred}, 0, '', '', NULL, NULL, NULL \
         FROM pg_constraint c, (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 \
         UNION ALL SELECT 3) k WHERE c.contype = 'f'",
        del = action("confdeltype", "del"),
        upd = action("confupdtype", "upd"),
        ins_check = oid_of("RI_FKey_check_ins"),
        upd_check = oid_of("RI_FKey_check_upd"),
        deferrable = deferrable("condeferrable"),
        deferred = deferrable("condeferred"),
    )
}

fn oid_of(name: &str) -> i64 {
    FUNCTIONS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(oid, _)| *oid)
        .expect("a referential-integrity function")
}
