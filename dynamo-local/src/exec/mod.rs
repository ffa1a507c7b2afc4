//! One executor per operation, named after it, plus what several share:
//! reading pages (`read`), writing items with their indexes (`write`),
//! capacity accounting (`capacity`).

pub(crate) mod batch;
pub(crate) mod capacity;
pub(crate) mod delete_item;
pub(crate) mod get_item;
pub(crate) mod put_item;
pub(crate) mod query;
pub(crate) mod read;
pub(crate) mod scan;
pub(crate) mod streams;
pub(crate) mod tables;
pub(crate) mod transact;
pub(crate) mod ttl;
pub(crate) mod update_item;
pub(crate) mod write;
