//! One action allocates nothing on the logging thread once buffers have grown: neither with
//! lines written in place nor through the background queue. (Speed is measured by the
//! benchmarks; this only guards the allocation count, which does not depend on the machine.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing_activity::{ActionType, Builder, Config, user_action};
use tracing_subscriber::prelude::*;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; counts allocations of flagged threads.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The actions whose allocations are counted, after 2,000 to warm up.
const ACTIONS_COUNTED: u64 = 200;

fn allocations_per_action(builder: Builder) -> u64 {
    let tracing_activity::Activity { layer, guard, .. } =
        builder.console_writer(std::io::sink).build().unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let count = tracing::dispatcher::with_default(&dispatch, || {
        let session =
            tracing::info_span!("session", session_id = "s-1", user_id = "user123", ip_address = "10.0.0.1");
        let request = tracing::info_span!(parent: &session, "request", request_id = "r-1", method = "GET", tenant = "acme");
        request.in_scope(|| {
            let action = |seq: u64| {
                user_action!(
                    ActionType::ApiCall,
                    "GET /user-queries",
                    result = "HTTP 200 SUCCESS",
                    duration_ms = 1_500.5,
                    seq,
                    note = "with \"quotes\"\n",
                )
            };
            for seq in 0..2_000 {
                action(seq);
            }
            let _ = guard.flush();
            COUNTING.with(|c| c.set(true));
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            // Fewer lines than the queue's buffers hold, so that a writer thread that is not
            // scheduled during the window (a busy machine) cannot make the queue grow.
            for seq in 0..ACTIONS_COUNTED {
                action(seq);
            }
            let after = ALLOCATIONS.load(Ordering::Relaxed);
            COUNTING.with(|c| c.set(false));
            after - before
        })
    });
    let stats = guard.close();
    assert!(
        stats.file_lines >= ACTIONS_COUNTED && stats.console_lines == 2_000 + ACTIONS_COUNTED,
        "{stats:?}"
    );
    count
}

#[test]
fn steady_state_actions_do_not_allocate() {
    let direct = allocations_per_action(Builder::new().file_writer(std::io::sink));
    assert_eq!(direct, 0, "allocations in {ACTIONS_COUNTED} actions written in place");
    let queued = allocations_per_action(
        Builder::new()
            .config(Config::default().log_queue_overflow(tracing_activity::OverflowPolicy::Block))
            .background_writer(std::io::sink()),
    );
    assert_eq!(queued, 0, "allocations in {ACTIONS_COUNTED} actions through the queue");
}
