//! Counts as CSV (RFC 4180), in two kinds of cells. `Exact` is what `blueprint counts` and the API
//! give by default: every value as it is, so scripts can compare them. `Spreadsheet` is the file
//! the pages offer for download: a text cell a spreadsheet would run as a formula (it starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'` and is quoted, as OWASP's
//! advice on CSV injection says; the `'` is the only change.

use super::row::CountRow;

pub const CSV_HEADER: &str = "hour,application,version,platform,screen,event,events,sessions";

/// How text cells are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvCells {
    /// The values as they are.
    Exact,
    /// Formula cells guarded for spreadsheets.
    Spreadsheet,
}

/// One CSV field, quoted as RFC 4180 requires.
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        quoted(value)
    } else {
        value.to_owned()
    }
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// One text field for a spreadsheet: a would-be formula gets a leading `'`, inside quotes.
pub fn spreadsheet_field(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        quoted(&format!("'{value}"))
    } else {
        csv_field(value)
    }
}

/// One row as a CSV line, ending in `\n`.
pub fn csv_line(row: &CountRow, cells: CsvCells) -> String {
    let text = match cells {
        CsvCells::Exact => csv_field,
        CsvCells::Spreadsheet => spreadsheet_field,
    };
    let fields = [
        text(&row.hour),
        text(&row.application),
        text(&row.version),
        text(&row.platform),
        text(&row.screen),
        text(&row.event),
        row.events.to_string(),
        row.sessions.to_string(),
    ];
    let mut line = fields.join(",");
    line.push('\n');
    line
}

/// The rows as exact CSV with the header, one line per row.
pub fn to_csv(rows: &[CountRow]) -> String {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    for row in rows {
        out.push_str(&csv_line(row, CsvCells::Exact));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_as_rfc_4180_says() {
        assert_eq!(csv_field("Products Page"), "Products Page");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=1+1"), "=1+1");
    }

    #[test]
    fn guards_formula_cells_for_spreadsheets() {
        assert_eq!(
            spreadsheet_field("=HYPERLINK(\"http://evil\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""
        );
        for (value, guarded) in [
            ("+1", "\"'+1\""),
            ("-1", "\"'-1\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\rx", "\"'\rx\""),
        ] {
            assert_eq!(spreadsheet_field(value), guarded, "{value:?}");
        }
        assert_eq!(spreadsheet_field("a=b"), "a=b");
        assert_eq!(spreadsheet_field("a,b"), "\"a,b\"");
    }
}
