//! `liveface collections`: list, create, update and delete collections.

use super::args::{CollectionsAction, CollectionsArgs, GlobalArgs};
use super::output::{collection_json, collections_table};
use super::persons::check_id;
use super::{confirm_then_open, report, EXIT_BAD_INPUT};
use crate::api::model::{Collection, CollectionInput};
use crate::api::ApiError;

fn check(action: &CollectionsAction) -> Result<Option<String>, String> {
    let name_ok = |n: &str| {
        if n.trim().is_empty() {
            Err("--name must not be empty".to_string())
        } else {
            Ok(())
        }
    };
    match action {
        CollectionsAction::List => Ok(None),
        CollectionsAction::Create { name, .. } => name_ok(name).map(|_| None),
        CollectionsAction::Update { id, name, .. } => {
            check_id(id)?;
            name_ok(name).map(|_| None)
        }
        CollectionsAction::Delete { id, yes } => {
            check_id(id)?;
            Ok((!yes).then(|| format!("delete collection {id}? persons stay, but leave it")))
        }
    }
}

fn print_one(c: &Collection, json: bool) {
    if json {
        println!("{}", collection_json(c));
    } else {
        print!("{}", collections_table(std::slice::from_ref(c)));
    }
}

pub async fn run(global: &GlobalArgs, args: &CollectionsArgs) -> i32 {
    let action = args.action.clone().unwrap_or(CollectionsAction::List);
    let question = match check(&action) {
        Ok(q) => q,
        Err(e) => {
            report(&e);
            return EXIT_BAD_INPUT;
        }
    };
    let conn = match confirm_then_open(global, question.as_deref()).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let client = &conn.client;
    let result: Result<(), ApiError> = async {
        match &action {
            CollectionsAction::List => {
                let cols = client.list_collections().await?;
                if args.json {
                    let v: Vec<_> = cols.iter().map(collection_json).collect();
                    println!("{}", serde_json::Value::Array(v));
                } else if cols.is_empty() {
                    println!("no collections");
                } else {
                    print!("{}", collections_table(&cols));
                }
            }
            CollectionsAction::Create { name, description } => {
                let input = CollectionInput {
                    name: name.trim().to_owned(),
                    description: description.clone(),
                };
                print_one(&client.create_collection(&input).await?, args.json);
            }
            CollectionsAction::Update {
                id,
                name,
                description,
            } => {
                let input = CollectionInput {
                    name: name.trim().to_owned(),
                    description: description.clone(),
                };
                print_one(&client.update_collection(id, &input).await?, args.json);
            }
            CollectionsAction::Delete { id, .. } => {
                client.delete_collection(id).await?;
                if args.json {
                    println!("{}", serde_json::json!({ "deleted": id }));
                } else {
                    println!("deleted collection {id}");
                }
            }
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => 0,
        Err(e) => {
            report(&e);
            e.exit_code()
        }
    }
}
