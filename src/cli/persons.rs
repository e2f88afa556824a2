//! `liveface persons …`: list, get, create, update and delete persons.

use std::path::PathBuf;

use super::args::{GlobalArgs, PersonFields, PersonsAction, PersonsArgs};
use super::output::{person_json, persons_table};
use super::{confirm_then_open, report, EXIT_BAD_INPUT};
use crate::api::confirm::CreateError;
use crate::api::model::past_last_page;
use crate::api::model::{DateOfBirth, NewPerson, Person, PersonQuery, PersonUpdate};
use crate::api::ApiError;
use crate::printable::printable;

/// Checked person fields, ready to send.
struct Fields {
    gender: Option<String>,
    dob: Option<DateOfBirth>,
    nationality: Option<String>,
    notes: Option<String>,
}

fn check_fields(f: &PersonFields) -> Result<Fields, String> {
    let gender = match f.gender.as_deref().map(str::trim) {
        None => None,
        Some(g) if g.eq_ignore_ascii_case("m") => Some("M".to_owned()),
        Some(g) if g.eq_ignore_ascii_case("f") => Some("F".to_owned()),
        Some(g) => return Err(format!("gender must be M or F (got {g:?})")),
    };
    let dob = match &f.dob {
        None => None,
        Some(d) => Some(DateOfBirth::parse_date(d).ok_or_else(|| {
            format!("date of birth must be a real date as YYYY-MM-DD (got {d:?})")
        })?),
    };
    Ok(Fields {
        gender,
        dob,
        nationality: f.nationality.clone(),
        notes: f.notes.clone(),
    })
}

/// Prepares the image files off the async runtime.
async fn read_images(paths: &[PathBuf], max_side: u32) -> Result<Vec<String>, String> {
    let paths = paths.to_vec();
    tokio::task::spawn_blocking(move || crate::probe::prepare_faces(&paths, max_side))
        .await
        .map_err(|e| e.to_string())?
}

fn print_person(p: &Person, json: bool) {
    if json {
        println!("{}", person_json(p));
        return;
    }
    // Every value came from the server: printable, so no escape sequence reaches the tty.
    let row = |k: &str, v: Option<String>| {
        let v = v.unwrap_or_else(|| "-".into());
        println!("{:<12} {}", printable(k), printable(&v))
    };
    row("id", Some(p.id.clone()));
    row("name", p.name.clone());
    row("gender", p.gender.clone());
    row("born", p.date_of_birth.map(|d| d.to_string()));
    row("nationality", p.nationality.clone());
    row("notes", p.notes.clone());
    row("status", p.status.clone());
    row(
        "collections",
        Some(
            p.collections
                .iter()
                .map(|c| c.label().to_owned())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    let ok = p.thumbnails.iter().filter(|t| t.image.is_ok()).count();
    row(
        "thumbnails",
        Some(format!("{ok} of {}", p.thumbnails.len())),
    );
    row("created", p.created_at.clone());
    row("updated", p.updated_at.clone());
    for (k, v) in &p.extra {
        row(k, Some(v.to_string()));
    }
}

fn fail(e: &ApiError) -> i32 {
    report(e);
    if let Some(existing) = e.data().and_then(Person::from_value) {
        eprintln!(
            "liveface: existing person: {} ({}) — see: liveface persons get {}",
            existing.name.as_deref().unwrap_or("unnamed"),
            existing.id,
            existing.id
        );
    }
    e.exit_code()
}

pub async fn run(global: &GlobalArgs, args: &PersonsArgs) -> i32 {
    // Everything local is checked before connecting, so bad input sends nothing.
    let max_side = crate::config::DEFAULT_MAX_SIDE;
    let prepared = match prepare(&args.action, max_side).await {
        Ok(p) => p,
        Err(e) => {
            report(&e);
            return EXIT_BAD_INPUT;
        }
    };
    let conn = match confirm_then_open(global, prepared.confirm.as_deref()).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let client = &conn.client;
    let json = args.json;
    let request = match prepared.request {
        Request::Create(p) => return create(client, &p, json).await,
        other => other,
    };
    let result: Result<(), ApiError> = async {
        match (&args.action, request) {
            (PersonsAction::List { .. }, Request::List(q)) => {
                let page = client.list_persons(&q).await?;
                if json {
                    let items: Vec<_> = page.items.iter().map(person_json).collect();
                    println!(
                        "{}",
                        serde_json::json!({ "persons": items, "pagination": page.pagination })
                    );
                } else {
                    let pages = page.pagination.and_then(|p| {
                        let limit = if p.limit == 0 { q.limit } else { p.limit };
                        p.pages
                            .or_else(|| p.total.map(|t| t.div_ceil(limit).max(1)))
                    });
                    if let Some(note) = past_last_page(q.page, pages) {
                        println!("{note}");
                    } else if page.items.is_empty() {
                        println!("no persons on page {}", q.page);
                    } else {
                        print!("{}", persons_table(&page.items));
                    }
                    if let Some(p) = page.pagination.filter(|_| {
                        // "page 4 of 2" says nothing the note above did not.
                        past_last_page(q.page, pages).is_none()
                    }) {
                        let pages = p.pages.map(|n| format!(" of {n}")).unwrap_or_default();
                        let total = p
                            .total
                            .map(|t| format!(" · {t} persons in all"))
                            .unwrap_or_default();
                        println!("page {}{pages}{total}", p.page);
                    }
                }
            }
            (PersonsAction::Get { id }, _) => print_person(&client.get_person(id).await?, json),
            (PersonsAction::Update { id, .. }, Request::Update(u)) => {
                print_person(&client.update_person(id, &u).await?, json)
            }
            (PersonsAction::Delete { id, collection, .. }, _) => {
                client.delete_person(id, collection.as_deref()).await?;
                if json {
                    println!(
                        "{}",
                        serde_json::json!({ "deleted": id, "collection": collection })
                    );
                } else if let Some(c) = collection {
                    println!("detached {id} from collection {c}");
                } else {
                    println!("deleted {id}");
                }
            }
            _ => unreachable!("prepare() returns the request matching its action"),
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

/// A create is never sent twice: when its outcome is unknown (a timeout, a broken
/// answer, a 500) the person is looked up, and what was found is said.
async fn create(client: &crate::api::Client, person: &NewPerson, json: bool) -> i32 {
    match client.create_person_checked(person).await {
        Ok(created) => {
            if let Some(note) = created.note() {
                report(&note);
            }
            print_person(created.person(), json);
            0
        }
        Err(CreateError::Failed(e)) => fail(&e),
        Err(CreateError::Uncertain(u)) => {
            report(&u);
            u.error.exit_code()
        }
    }
}

enum Request {
    List(PersonQuery),
    Create(NewPerson),
    Update(PersonUpdate),
    None,
}

struct Prepared {
    request: Request,
    confirm: Option<String>,
}

async fn prepare(action: &PersonsAction, max_side: u32) -> Result<Prepared, String> {
    let plain = |request| Prepared {
        request,
        confirm: None,
    };
    Ok(match action {
        PersonsAction::List {
            page,
            limit,
            collection,
            status,
        } => {
            if *page < 1 {
                return Err(format!("--page starts at 1 (got {page})"));
            }
            if !(1..=100).contains(limit) {
                return Err(format!("--limit must be between 1 and 100 (got {limit})"));
            }
            if let Some(s) = status {
                if !["active", "inactive", "pending"].contains(&s.as_str()) {
                    return Err(format!(
                        "--status must be active, inactive or pending (got {s:?})"
                    ));
                }
            }
            plain(Request::List(PersonQuery {
                page: *page as u64,
                limit: *limit as u64,
                collection: collection.clone(),
                status: status.clone(),
            }))
        }
        PersonsAction::Get { id } => {
            check_id(id)?;
            plain(Request::None)
        }
        PersonsAction::Create {
            name,
            images,
            collections,
            fields,
        } => {
            let f = check_fields(fields)?;
            if name.trim().is_empty() {
                return Err("--name must not be empty".into());
            }
            warn_digits(name)?;
            collections.iter().try_for_each(|c| check_id(c))?;
            plain(Request::Create(NewPerson {
                name: name.trim().to_owned(),
                images: read_images(images, max_side).await?,
                gender: f.gender,
                date_of_birth: f.dob,
                nationality: f.nationality,
                collections: collections.clone(),
                notes: f.notes,
            }))
        }
        PersonsAction::Update {
            id,
            name,
            images,
            collections,
            fields,
        } => {
            check_id(id)?;
            collections.iter().try_for_each(|c| check_id(c))?;
            let f = check_fields(fields)?;
            if let Some(n) = name {
                warn_digits(n)?;
            }
            let update = PersonUpdate {
                name: name.clone().filter(|n| !n.trim().is_empty()),
                images: if images.is_empty() {
                    None
                } else {
                    Some(read_images(images, max_side).await?)
                },
                gender: f.gender,
                date_of_birth: f.dob,
                nationality: f.nationality,
                collections: (!collections.is_empty()).then(|| collections.clone()),
                notes: f.notes,
            };
            if update.is_empty() {
                return Err("nothing to update: give at least one of --name, --image, --gender, --dob, --nationality, --notes, --collection".into());
            }
            plain(Request::Update(update))
        }
        PersonsAction::Delete {
            id,
            collection,
            yes,
        } => {
            check_id(id)?;
            if let Some(c) = collection {
                check_id(c)?;
            }
            let question = match collection {
                Some(c) => format!("detach person {id} from collection {c}?"),
                None => format!("delete person {id} from every collection, with their faces?"),
            };
            Prepared {
                request: Request::None,
                confirm: (!yes).then_some(question),
            }
        }
    })
}

/// Warns on stderr, before anything is sent, when Verifik will strip digits from the
/// name; a name of digits only would be stored empty, so it is refused.
fn warn_digits(name: &str) -> Result<(), String> {
    if let Some(w) = crate::api::model::name_digits_warning(name) {
        if crate::api::model::name_as_stored(name).is_empty() {
            return Err(format!(
                "--name {:?} has only digits, which Verifik removes: give a name with letters",
                name.trim()
            ));
        }
        eprintln!("liveface: warning: {w}");
    }
    Ok(())
}

/// Ids are sent in paths: letters, digits, '-' and '_' only.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not a valid id (letters, digits, '-' and '_' only)"
        ))
    }
}
