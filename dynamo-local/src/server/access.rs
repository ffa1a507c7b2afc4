//! Who may call what. A server with access keys verifies every request's
//! SigV4 signature against the key it names, then checks the key's grant:
//! a read-only key may call only operations that change nothing, and a key
//! limited to a table-name prefix may touch only tables whose names start
//! with it. A request outside its grant is answered with DynamoDB's
//! `AccessDeniedException`.
//!
//! Keys come from [`Credentials`] values or from a credentials file in the
//! AWS CLI's format, one section per key:
//!
//! ```text
//! [reporting]
//! aws_access_key_id = AKIDREPORTING
//! aws_secret_access_key = s3cr3t
//! read_only = true
//! table_prefix = reports_
//! ```

use super::auth::Credentials;
use super::dispatch::Operation;
use serde_json::Value;

/// Why a credentials file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsFileError {
    /// The file could not be read.
    #[error("cannot read the credentials file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// A line is not `[name]`, `key = value`, a comment or blank.
    #[error("credentials file line {line}: {problem}")]
    Syntax {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
}

/// Reads access keys from a credentials file (see the module docs).
pub fn read_credentials_file(
    path: &std::path::Path,
) -> Result<Vec<Credentials>, CredentialsFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| CredentialsFileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_credentials(&text)
}

/// Parses the text of a credentials file.
pub fn parse_credentials(text: &str) -> Result<Vec<Credentials>, CredentialsFileError> {
    struct Section {
        name: String,
        start: usize,
        access_key: Option<String>,
        secret_key: Option<String>,
        read_only: bool,
        table_prefix: Option<String>,
    }
    fn finish(section: Section) -> Result<Credentials, CredentialsFileError> {
        let missing = |what: &str| CredentialsFileError::Syntax {
            line: section.start,
            problem: format!("section [{}] has no {what}", section.name),
        };
        let access_key = section
            .access_key
            .clone()
            .ok_or_else(|| missing("aws_access_key_id"))?;
        let secret_key = section
            .secret_key
            .clone()
            .ok_or_else(|| missing("aws_secret_access_key"))?;
        Ok(Credentials {
            user: section.name,
            access_key,
            secret_key,
            read_only: section.read_only,
            table_prefix: section.table_prefix,
        })
    }
    let mut keys = Vec::new();
    let mut current: Option<Section> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let number = i + 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some(section) = current.take() {
                keys.push(finish(section)?);
            }
            current = Some(Section {
                name: name.trim().to_owned(),
                start: number,
                access_key: None,
                secret_key: None,
                read_only: false,
                table_prefix: None,
            });
            continue;
        }
        let syntax = |problem: String| CredentialsFileError::Syntax {
            line: number,
            problem,
        };
        let Some((key, value)) = line.split_once('=') else {
            return Err(syntax(format!("expected `key = value`, found `{line}`")));
        };
        let Some(section) = current.as_mut() else {
            return Err(syntax("a setting before the first [section]".to_owned()));
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "aws_access_key_id" => section.access_key = Some(value),
            "aws_secret_access_key" => section.secret_key = Some(value),
            "read_only" => {
                section.read_only = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(syntax(format!(
                            "read_only must be true or false, not `{other}`"
                        )));
                    }
                }
            }
            "table_prefix" => section.table_prefix = Some(value),
            // The AWS CLI's own settings (region, output, ...) may share
            // the file.
            _ => {}
        }
    }
    if let Some(section) = current.take() {
        keys.push(finish(section)?);
    }
    Ok(keys)
}

/// Why a key may not make a request: DynamoDB's message for it.
pub(crate) fn check_grant(
    key: &Credentials,
    operation: Operation,
    body: &[u8],
    region: &str,
) -> Result<(), String> {
    let denied = |resource: &str| {
        format!(
            "User: arn:aws:iam::000000000000:user/{} is not authorized to perform: dynamodb:{action} on resource: {resource} because no identity-based policy allows the dynamodb:{action} action",
            key.user,
            action = operation.name()
        )
    };
    let table_arn = |table: &str| format!("arn:aws:dynamodb:{region}:000000000000:table/{table}");
    let tables = tables_named(body);
    if key.read_only && !operation.is_read_only() {
        let resource = tables
            .first()
            .map_or_else(|| table_arn("*"), |t| table_arn(t));
        return Err(denied(&resource));
    }
    if let Some(prefix) = &key.table_prefix
        && let Some(outside) = tables.iter().find(|t| !t.starts_with(prefix.as_str()))
    {
        return Err(denied(&table_arn(outside)));
    }
    Ok(())
}

/// The tables a request names (none for ListTables).
fn tables_named(body: &[u8]) -> Vec<String> {
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut tables = Vec::new();
    if let Some(Value::String(name)) = request.get("TableName") {
        tables.push(table_of(name));
    }
    for member in ["ResourceArn", "StreamArn"] {
        if let Some(Value::String(arn)) = request.get(member) {
            tables.push(table_of(arn));
        }
    }
    if let Some(Value::Object(items)) = request.get("RequestItems") {
        tables.extend(items.keys().map(|name| table_of(name)));
    }
    if let Some(Value::Array(actions)) = request.get("TransactItems") {
        for action in actions.iter().filter_map(Value::as_object) {
            for inner in action.values().filter_map(Value::as_object) {
                if let Some(Value::String(name)) = inner.get("TableName") {
                    tables.push(table_of(name));
                }
            }
        }
    }
    tables
}

/// A table name, or the table an ARN names.
fn table_of(name_or_arn: &str) -> String {
    match name_or_arn.split_once(":table/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest).to_owned(),
        None => name_or_arn.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credentials_file_gives_each_section_a_key_with_its_grant() {
        let keys = parse_credentials(
            "# keys\n[admin]\naws_access_key_id = AK1\naws_secret_access_key = S1\nregion = us-east-1\n\n[reports]\naws_access_key_id=AK2\naws_secret_access_key=S2\nread_only = true\ntable_prefix = reports_\n",
        )
        .unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(
            (
                keys[0].user.as_str(),
                keys[0].read_only,
                &keys[0].table_prefix
            ),
            ("admin", false, &None)
        );
        assert_eq!(
            (keys[1].access_key.as_str(), keys[1].read_only),
            ("AK2", true)
        );
        assert_eq!(keys[1].table_prefix.as_deref(), Some("reports_"));
    }

    #[test]
    fn a_bad_credentials_file_names_the_line() {
        let error = parse_credentials("[a]\naws_access_key_id = x\nread_only = yes\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "credentials file line 3: read_only must be true or false, not `yes`"
        );
        let error = parse_credentials("[a]\naws_access_key_id = x\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "credentials file line 1: section [a] has no aws_secret_access_key"
        );
        let error = parse_credentials("key = value\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "credentials file line 1: a setting before the first [section]"
        );
    }

    #[test]
    fn tables_are_found_in_every_request_shape() {
        let body = br#"{"TransactItems":[{"Put":{"TableName":"a"}},{"Update":{"TableName":"b"}}]}"#;
        assert_eq!(tables_named(body), ["a", "b"]);
        let body = br#"{"RequestItems":{"x":{},"y":{}}}"#;
        assert_eq!(tables_named(body), ["x", "y"]);
        let body = br#"{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/t1"}"#;
        assert_eq!(tables_named(body), ["t1"]);
    }
}
