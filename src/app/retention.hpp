// Forgetting on purpose: a call deleted on request (privacy) with everything attached, and the
// per-organisation retention (`retention_days`): a background sweep that purges recordings and
// transcripts of older calls (the call rows stay for statistics), logged.
#pragma once
#include <string>

#include "app/config.hpp"
#include "app/orgs/directory.hpp"
#include "app/store_writer.hpp"
#include "net/asio.hpp"
#include "ports/blob_store.hpp"

namespace vg::app {

// Removes the call's recordings from the blob store, then its rows (all of them with
// delete_row, else everything but the call row). False when the call does not exist.
awaitable<bool> erase_call(store_writer& store, ports::blob_store& blobs, std::string call_sid, bool delete_row);

// One sweep over every organisation with retention_days > 0; returns the calls purged.
awaitable<int> sweep_retention(store_writer& store, directory& dir, ports::blob_store& blobs, std::int64_t now_ms);

// Sweeps every cfg.retention_sweep until cancelled.
awaitable<void> retention_loop(const config& cfg, store_writer& store, directory& dir, ports::blob_store& blobs);

}  // namespace vg::app
