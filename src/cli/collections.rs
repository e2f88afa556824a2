//! `liveface collections`: list (and manage) collections.

use super::args::{CollectionsAction, CollectionsArgs, GlobalArgs};
use super::output::{collection_json, collections_table};
use super::{open, report};

pub async fn run(global: &GlobalArgs, args: &CollectionsArgs) -> i32 {
    let (_, conn) = match open(global, global.flags()).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    match args.action.clone().unwrap_or(CollectionsAction::List) {
        CollectionsAction::List => match conn.client.list_collections().await {
            Ok(cols) => {
                if args.json {
                    let v: Vec<_> = cols.iter().map(collection_json).collect();
                    println!("{}", serde_json::Value::Array(v));
                } else if cols.is_empty() {
                    println!("no collections");
                } else {
                    print!("{}", collections_table(&cols));
                }
                0
            }
            Err(e) => {
                report(&e);
                e.exit_code()
            }
        },
    }
}
