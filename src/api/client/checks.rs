//! What the client refuses before sending: ids that cannot go in a path, image lists
//! of the wrong size or with an empty image, a collection without a name.

use crate::api::error::ApiError;
use crate::api::model::*;
use crate::vocabulary::MAX_PERSON_IMAGES;

/// An id safe to put in a path: non-empty, no slashes or spaces.
pub(super) fn path_id(id: &str) -> Result<String, ApiError> {
    let id = id.trim();
    if id.is_empty()
        || id.len() > 128
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::InvalidInput(format!(
            "{id:?} is not a valid id (letters, digits, '-' and '_' only)"
        )));
    }
    Ok(id.to_owned())
}

pub(super) fn check_images(images: &[String]) -> Result<(), ApiError> {
    if images.is_empty() || images.len() > MAX_PERSON_IMAGES {
        return Err(ApiError::InvalidInput(format!(
            "give between 1 and {MAX_PERSON_IMAGES} images"
        )));
    }
    if images.iter().any(|i| strip_data_url(i.trim()).is_empty()) {
        return Err(ApiError::InvalidInput("an image is empty".into()));
    }
    Ok(())
}

/// The API wants raw base64: drop `data:` URL prefixes and surrounding whitespace.
pub(super) fn raw_images(images: &[String]) -> Vec<String> {
    images
        .iter()
        .map(|i| strip_data_url(i.trim()).to_owned())
        .collect()
}

pub(super) fn check_collection_name(input: &CollectionInput) -> Result<(), ApiError> {
    if input.name.trim().is_empty() {
        return Err(ApiError::InvalidInput("a collection needs a name".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_paths_are_checked() {
        assert_eq!(
            path_id(" 65b9592267cc4f096dbe743d ").unwrap(),
            "65b9592267cc4f096dbe743d"
        );
        assert!(path_id("8a6c3c1e-4f7e-4f3a-9d47-0d5cbe2b6b71").is_ok());
        for bad in ["", "a/b", "a b", "..", "x?y=1", &"a".repeat(129)] {
            assert!(path_id(bad).is_err(), "{bad}");
        }
    }
}
