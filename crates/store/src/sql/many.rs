//! Many rows in a few statements: a multi-row `INSERT` and an `UPDATE … FROM (VALUES …)`, in
//! the common dialect. On PostgreSQL every statement is a round trip, so work that touches a
//! row per record (a sync's records, a run of admissions, audit entries) is written with
//! these; on SQLite they save a call per row.
//!
//! `n` rows go in statements of the sizes in [`ROWS_PER_STATEMENT`], largest first, so that
//! each connection prepares at most five shapes of each statement.

use super::{Db, Row, Value};
use crate::Result;

/// Rows per statement, largest first.
const ROWS_PER_STATEMENT: [usize; 5] = [256, 64, 16, 4, 1];

/// The rows of `rows`, as the slices one statement each takes.
fn chunks<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let size = ROWS_PER_STATEMENT.into_iter().find(|&n| n <= rows.len())?;
        let (chunk, rest) = rows.split_at(size);
        rows = rest;
        Some(chunk)
    })
}

/// `($k, $k+1, …), (…)` for `n` rows of `width` values numbered from `$first`; with `types`,
/// each value is `CAST($k AS type)` (a `VALUES` list outside an `INSERT` has no column types
/// of its own on PostgreSQL).
fn placeholders(n: usize, width: usize, first: usize, types: Option<&[&str]>) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let values: Vec<String> = (0..width)
                .map(|j| {
                    let k = first + i * width + j;
                    match types {
                        Some(t) => format!("CAST(${k} AS {})", t[j]),
                        None => format!("${k}"),
                    }
                })
                .collect();
            format!("({})", values.join(", "))
        })
        .collect();
    rows.join(", ")
}

/// `INSERT INTO table (columns) VALUES … tail` for every row of `rows` (all of one width);
/// returns what the statements return (`tail` may be `ON CONFLICT … RETURNING …`).
pub(crate) fn insert_rows(
    db: &mut dyn Db,
    table: &str,
    columns: &str,
    rows: &[Vec<Value>],
    tail: &str,
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for chunk in chunks(rows) {
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {} {tail}",
            placeholders(chunk.len(), chunk[0].len(), 1, None)
        );
        let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
        out.extend(db.rows(&sql, &params)?);
    }
    Ok(out)
}

/// `head FROM (VALUES …) AS v tail` for every row of `rows`, whose values have `types`
/// (`BIGINT`, `TEXT`) and are named `v.column1`, `v.column2`, … in `head` and `tail`;
/// `fixed` are `$1`, `$2`, … of every statement. Returns the number of rows changed.
pub(crate) fn update_from_rows(
    db: &mut dyn Db,
    head: &str,
    types: &[&str],
    rows: &[Vec<Value>],
    tail: &str,
    fixed: &[Value],
) -> Result<u64> {
    let mut changed = 0;
    for chunk in chunks(rows) {
        let sql = format!(
            "{head} FROM (VALUES {}) AS v {tail}",
            placeholders(chunk.len(), types.len(), fixed.len() + 1, Some(types))
        );
        let mut params = fixed.to_vec();
        params.extend(chunk.iter().flatten().cloned());
        changed += db.exec(&sql, &params)?;
    }
    Ok(changed)
}

/// The rows of `{head} IN (…)` for every id of `ids` (`head` ends with the column compared;
/// `$1` in it is `first`, the operation or the device the ids are of), read with a few
/// statements.
pub(crate) fn rows_in(db: &mut dyn Db, head: &str, first: i64, ids: &[i64]) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for chunk in chunks(ids) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let mut params = vec![Value::Int(first)];
        params.extend(chunk.iter().map(|i| Value::Int(*i)));
        out.extend(db.rows(&format!("{head} IN ({})", list.join(", ")), &params)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_cut_into_the_few_sizes_largest_first() {
        let rows: Vec<u32> = (0..1000).collect();
        let sizes: Vec<usize> = chunks(&rows).map(<[u32]>::len).collect();
        assert_eq!(sizes, [256, 256, 256, 64, 64, 64, 16, 16, 4, 4]);
        assert_eq!(sizes.iter().sum::<usize>(), 1000);
        assert_eq!(chunks::<u32>(&[]).count(), 0);
        let all: Vec<u32> = chunks(&rows).flatten().copied().collect();
        assert_eq!(all, rows, "every row once, in order");
    }

    #[test]
    fn placeholders_number_on_from_the_fixed_parameters() {
        assert_eq!(placeholders(2, 2, 1, None), "($1, $2), ($3, $4)");
        assert_eq!(
            placeholders(1, 2, 3, Some(&["BIGINT", "TEXT"])),
            "(CAST($3 AS BIGINT), CAST($4 AS TEXT))"
        );
    }
}
