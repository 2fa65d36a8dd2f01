//! Names a schema change creates, folded as PostgreSQL folds them: an unquoted name is
//! lower case (`CREATE TABLE Users (FirstName text)` makes `users` and `firstname`).
//! SQLite keeps a name as written and compares names without case, so statements found
//! them either way, but `SELECT *`, the catalogs and ORMs reading them saw `FirstName`
//! where PostgreSQL shows `firstname`.

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, CreateTable, Ident, ObjectName, ObjectNamePart, Statement,
    TableConstraint,
};

pub(super) fn ddl_names(stmt: &mut Statement) {
    match stmt {
        Statement::CreateTable(ct) => create_table(ct),
        Statement::AlterTable { operations, .. } => {
            for op in operations {
                match op {
                    AlterTableOperation::AddColumn { column_def, .. } => column(column_def),
                    AlterTableOperation::RenameColumn {
                        new_column_name, ..
                    } => fold(new_column_name),
                    AlterTableOperation::RenameTable {
                        table_name:
                            sqlparser::ast::RenameTableNameKind::As(n)
                            | sqlparser::ast::RenameTableNameKind::To(n),
                    } => object(n),
                    AlterTableOperation::AddConstraint { constraint, .. } => {
                        table_constraint(constraint)
                    }
                    _ => {}
                }
            }
        }
        Statement::CreateIndex(ci) => {
            if let Some(n) = &mut ci.name {
                object(n);
            }
        }
        Statement::CreateView { name, columns, .. } => {
            object(name);
            columns.iter_mut().for_each(|c| fold(&mut c.name));
        }
        _ => {}
    }
}

fn create_table(ct: &mut CreateTable) {
    object(&mut ct.name);
    ct.columns.iter_mut().for_each(column);
    ct.constraints.iter_mut().for_each(table_constraint);
}

fn column(c: &mut ColumnDef) {
    fold(&mut c.name);
    for o in &mut c.options {
        if let Some(n) = &mut o.name {
            fold(n);
        }
    }
}

fn table_constraint(c: &mut TableConstraint) {
    let name = match c {
        TableConstraint::Unique { name, .. }
        | TableConstraint::PrimaryKey { name, .. }
        | TableConstraint::ForeignKey { name, .. }
        | TableConstraint::Check { name, .. } => name,
        _ => return,
    };
    if let Some(n) = name {
        fold(n);
    }
}

fn object(name: &mut ObjectName) {
    if let Some(ObjectNamePart::Identifier(i)) = name.0.last_mut() {
        fold(i);
    }
}

fn fold(i: &mut Ident) {
    if i.quote_style.is_none() {
        i.value = i.value.to_lowercase();
    }
}
