// The organisation a fresh server starts with, so a newcomer can call in at once: a small
// demo business whose assistant explains voxgate and takes a pretend booking.
#pragma once
#include "ports/store.hpp"

namespace vg::app {

// Saves the demo organisation when the store has no organisation at all; true if it did.
bool seed_demo_org(ports::store& store);

}  // namespace vg::app
