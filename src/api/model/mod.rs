//! The API's data types, decoded tolerantly.
//!
//! Verifik's documentation disagrees with itself about many shapes (see
//! `verifik-api.md` §7–8): ids arrive as `id`, `_id` or `{"$oid": …}`, scores as
//! numbers, numeric strings or percentages, dates of birth in three forms, lists as
//! arrays or `{docs: […]}`. Every type here is therefore decoded by hand from a
//! `serde_json::Value`, keeping what it cannot name in `extra` instead of failing.

mod collections;
mod persons;
mod search;

pub use collections::{Collection, CollectionInput};
pub use persons::{
    decode_base64_image, name_as_stored, name_digits_warning, past_last_page, CollectionRef,
    NewLivePerson, NewPerson, Page, Pagination, Person, PersonQuery, PersonUpdate, Thumbnail,
};
pub use search::{FaceBox, Match, SearchOutcome, SearchParams};

// The API's words and wire rules live in the shared vocabulary (the sandbox uses them
// too); re-exported here because every caller of the client speaks them.
pub use crate::vocabulary::{
    id_string, integer, number, object_id, parse_threshold, strip_data_url, validate_threshold,
    DateOfBirth, Os, SearchMode, THRESHOLD_MAX, THRESHOLD_MIN,
};
