//! Ordered parallel work: documents are cleaned on several threads and written in input order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Condvar, Mutex};

/// Runs `work(i)` for every `i` in `0..n` on `threads` threads, the calling thread one of them,
/// and hands each result to `emit(i, result)` on the calling thread, in order of `i`. The
/// calling thread works whenever no result is ready to emit, so `threads` threads keep as many
/// cores busy. At most `window` results are computed ahead of the one being emitted, so memory
/// stays bounded by `window` results.
///
/// `emit` returning an error stops the workers (after the item each is busy with) and returns
/// that error. A panic in `work`, on any thread, stops the workers and is raised again on the
/// calling thread, after an error of `emit` too; one in `emit` or the calling thread's `init`
/// stops them as it leaves.
///
/// # Errors
/// The first error `emit` returns.
pub fn ordered<T, E, W, F>(n: usize, threads: usize, window: usize, work: W, emit: F) -> Result<(), E>
where
    T: Send,
    W: Fn(usize) -> T + Sync,
    F: FnMut(usize, T) -> Result<(), E>,
{
    ordered_with(n, threads, window, || (), |_, i| work(i), |_| (), emit)
}

/// Like [`ordered`], with state per worker: `init` makes it when a worker starts (an engine, say,
/// reused for every item the worker takes), `work` gets it with each item, and `done` receives
/// it when the worker ends.
///
/// # Errors
/// The first error `emit` returns.
pub fn ordered_with<S, T, E, I, W, D, F>(
    n: usize,
    threads: usize,
    window: usize,
    init: I,
    work: W,
    done: D,
    emit: F,
) -> Result<(), E>
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, usize) -> T + Sync,
    D: Fn(S) + Sync,
    F: FnMut(usize, T) -> Result<(), E>,
{
    ordered_parts(n, threads, window, init, |s, i, _, _| work(s, i), done, emit)
}

/// Like [`ordered_with`], for items whose results can be too large to hold: `work` may hand
/// parts of item `i`'s result to `part` as it goes, and they are emitted (`emit(i, part)`, in
/// the order given, before the result `work` returns) as soon as every item before `i` has
/// been emitted. Until then `part` waits, and after it while two parts of the item wait to be
/// emitted: memory holds at most `window` results, what each thread has not yet handed over
/// and two parts, however large an item's result. On the calling thread, which emits, `part`
/// emits what is ready meanwhile.
///
/// `part` returns `false` once the run has stopped (an error or a panic elsewhere): the part is
/// dropped, and `work` should return soon, since its result is dropped too. [`Stop`] tells
/// the same without a part, for work that may go on long without one.
///
/// # Errors
/// The first error `emit` returns.
pub fn ordered_parts<S, T, E, I, W, D, F>(
    n: usize,
    threads: usize,
    window: usize,
    init: I,
    work: W,
    done: D,
    emit: F,
) -> Result<(), E>
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, usize, &mut dyn FnMut(T) -> bool, Stop<'_>) -> T + Sync,
    D: Fn(S) + Sync,
    F: FnMut(usize, T) -> Result<(), E>,
{
    let threads = threads.max(1).min(n.max(1));
    let window = window.max(threads);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // The index of the next result to emit and the parts queued, and a condition to wait on for
    // them to move.
    let emitted = Mutex::new(Turn::default());
    let moved = Condvar::new();
    let (tx, rx) = sync_channel::<(usize, Message<T>)>(window);
    let (result, panic) = std::thread::scope(|scope| {
        // `threads - 1` workers; the calling thread is the last one: it emits, and works
        // whenever nothing is ready to emit.
        let mut workers = Vec::new();
        for _ in 1..threads {
            let tx = tx.clone();
            let (next, stop, emitted, moved, work) = (&next, &stop, &emitted, &moved, &work);
            let (init, done) = (&init, &done);
            workers.push(scope.spawn(move || {
                let mut state = init();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    // Wait until `i` is within the window.
                    {
                        let mut e = emitted.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= e.emitted + window && !stop.load(Ordering::SeqCst) {
                            e = moved.wait(e).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // A part waits for `i`'s turn (every item before it emitted), and then for
                    // fewer than QUEUED_PARTS of its parts to wait to be emitted.
                    let mut part = |t: T| -> bool {
                        {
                            let mut e = emitted.lock().unwrap_or_else(|p| p.into_inner());
                            while (e.emitted < i || e.queued >= QUEUED_PARTS) && !stop.load(Ordering::SeqCst) {
                                e = moved.wait(e).unwrap_or_else(|p| p.into_inner());
                            }
                            if stop.load(Ordering::SeqCst) {
                                return false;
                            }
                            e.queued += 1;
                        }
                        tx.send((i, Message::Part(t))).is_ok()
                    };
                    // A panic goes to the calling thread, which stops the others: left to end
                    // this thread, it would leave them waiting for an item that never comes.
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut state, i, &mut part, Stop(stop))));
                    let panicked = outcome.is_err();
                    if tx.send((i, Message::Done(outcome))).is_err() || panicked {
                        break;
                    }
                }
                done(state);
            }));
        }
        drop(tx);
        // However the calling thread leaves (a panic in `init` or `emit` included), the workers
        // waiting on the window are told to stop before the scope waits for them.
        let _stop = StopOnDrop { stop: &stop, emitted: &emitted, moved: &moved };
        let mut own = init();
        let mut out = Emitter {
            rx: &rx,
            emit,
            pending: BTreeMap::new(),
            want: 0,
            result: Ok(()),
            panic: None,
            emitted: &emitted,
            moved: &moved,
        };
        // The calling thread's own item: its parts are emitted at its turn, after what comes
        // before it from the workers.
        let run_own = |own: &mut S, i: usize, out: &mut Emitter<'_, T, E, F>| {
            let mut part = |t: T| out.own_part(i, t);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(own, i, &mut part, Stop(&stop))))
        };
        'run: while out.want < n {
            while let Ok(got) = rx.try_recv() {
                out.receive(got);
                if out.failed() {
                    break 'run;
                }
            }
            out.emit_ready();
            if out.failed() || out.want >= n {
                break;
            }
            // Nothing to emit: take an item within the window (checked and claimed in one
            // step, so that workers claiming at the same time cannot push it past), else wait
            // for a worker's.
            let claim =
                next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |x| (x < n && x < out.want + window).then_some(x + 1));
            match claim {
                Ok(i) => {
                    let got = run_own(&mut own, i, &mut out);
                    out.receive((i, Message::Done(got)));
                }
                Err(_) => match rx.recv() {
                    Ok(got) => out.receive(got),
                    // Every worker has ended: what is left is the calling thread's.
                    Err(_) => match next.fetch_add(1, Ordering::SeqCst) {
                        i if i < n => {
                            let got = run_own(&mut own, i, &mut out);
                            out.receive((i, Message::Done(got)));
                        }
                        // No item is lost without a panic, which came as a result.
                        _ if !out.pending.contains_key(&out.want) => break,
                        _ => continue,
                    },
                },
            }
            if out.failed() {
                break;
            }
        }
        halt(&stop, &emitted, &moved);
        let Emitter { result, mut panic, .. } = out;
        // What the workers still send: a panic among it is raised (an error of `emit` must
        // not hide it), and none of them waits on a full channel.
        while let Ok((_, message)) = rx.recv() {
            if let Message::Done(Err(p)) = message {
                panic.get_or_insert(p);
            }
        }
        done(own);
        // A worker's own panic (in `init` or `done`) is raised with its message, not as the
        // scope's "a scoped thread panicked".
        for w in workers {
            if let Err(p) = w.join() {
                panic.get_or_insert(p);
            }
        }
        (result, panic)
    });
    if let Some(p) = panic {
        std::panic::resume_unwind(p);
    }
    result
}

/// Whether a run of [`ordered_parts`] has stopped (an error or a panic): a worker's item is then
/// dropped, and its work can end at once. (On the calling thread, an error of its own item's
/// part comes back from `part` itself.)
#[derive(Clone, Copy)]
pub struct Stop<'a>(&'a AtomicBool);

impl Stop<'_> {
    /// Whether the run has stopped.
    pub fn stopped(self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Parts of an item that may wait to be emitted at once: one being emitted while the worker
/// makes the next.
const QUEUED_PARTS: usize = 2;

/// Where the emitting stands, under the lock the workers wait on: the next item to emit, and
/// the parts sent and not yet emitted.
#[derive(Default)]
struct Turn {
    emitted: usize,
    queued: usize,
}

/// What a worker of [`ordered_parts`] sends: a part of an item's result, or the end of it (the
/// result, or the panic that came instead).
enum Message<T> {
    Part(T),
    Done(std::thread::Result<T>),
}

/// The calling thread's side of [`ordered_parts`]: results held until their turn, and the
/// first error or panic, after which nothing more is emitted.
struct Emitter<'a, T, E, F> {
    rx: &'a std::sync::mpsc::Receiver<(usize, Message<T>)>,
    emit: F,
    pending: BTreeMap<usize, T>,
    /// The next item to emit.
    want: usize,
    result: Result<(), E>,
    panic: Option<Box<dyn std::any::Any + Send>>,
    emitted: &'a Mutex<Turn>,
    moved: &'a Condvar,
}

impl<T, E, F: FnMut(usize, T) -> Result<(), E>> Emitter<'_, T, E, F> {
    fn failed(&self) -> bool {
        self.result.is_err() || self.panic.is_some()
    }

    /// Emits `t` for item `i`; an error or a panic is kept, and stops the run.
    fn call(&mut self, i: usize, t: T) {
        // A panic in `emit` ends the run like one in `work`, so that the workers are stopped
        // and every state is handed to `done` before it is raised.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.emit)(i, t))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.result = Err(e),
            Err(p) => self.panic = Some(p),
        }
    }

    /// Takes in what a worker sent: a part (always of the item being waited for, since a
    /// worker sends one only at its item's turn) is emitted at once, a result held.
    fn receive(&mut self, (i, message): (usize, Message<T>)) {
        if let Message::Part(_) = message {
            self.emitted.lock().unwrap_or_else(|p| p.into_inner()).queued -= 1;
            self.moved.notify_all();
        }
        match message {
            // A panic is kept even after an error, to be raised.
            Message::Done(Err(p)) => {
                self.panic.get_or_insert(p);
            }
            _ if self.failed() => {}
            Message::Part(t) => self.call(i, t),
            Message::Done(Ok(t)) => {
                self.pending.insert(i, t);
            }
        }
    }

    /// Emits the results that are next in order.
    fn emit_ready(&mut self) {
        while !self.failed() {
            let Some(t) = self.pending.remove(&self.want) else { break };
            self.call(self.want, t);
            if self.failed() {
                break;
            }
            self.want += 1;
            self.emitted.lock().unwrap_or_else(|p| p.into_inner()).emitted = self.want;
            self.moved.notify_all();
        }
    }

    /// A part of the calling thread's own item `i`: what comes before it is received and
    /// emitted first (every earlier item is done or under way on a worker, which sends its
    /// parts at its turn), then the part.
    fn own_part(&mut self, i: usize, t: T) -> bool {
        loop {
            self.emit_ready();
            if self.failed() {
                return false;
            }
            if self.want == i {
                self.call(i, t);
                return !self.failed();
            }
            match self.rx.recv() {
                Ok(got) => self.receive(got),
                // Every worker has ended, and an earlier item never came (a worker sends each
                // item it takes before it ends, a panic included): not to be.
                Err(_) => {
                    self.panic.get_or_insert_with(|| Box::new("ordered_parts: an item was lost"));
                    return false;
                }
            }
        }
    }
}

/// Tells the workers of [`ordered_with`] to stop. `stop` is set under the lock the workers hold
/// while they test it and wait, so none can test it, miss the wake-up and wait for ever.
fn halt(stop: &AtomicBool, emitted: &Mutex<Turn>, moved: &Condvar) {
    {
        let _held = emitted.lock().unwrap_or_else(|p| p.into_inner());
        stop.store(true, Ordering::SeqCst);
    }
    moved.notify_all();
}

/// Calls [`halt`] when dropped, on any way out of the calling thread's part.
struct StopOnDrop<'a> {
    stop: &'a AtomicBool,
    emitted: &'a Mutex<Turn>,
    moved: &'a Condvar,
}

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        halt(self.stop, self.emitted, self.moved);
    }
}

/// Like [`ordered_with`], for items that arrive one by one from `source` (a stream read on the
/// calling thread) rather than a known count. `threads` workers run `work`; the calling thread
/// reads, hands items out and emits results in order. At most `window` items are in flight, so
/// memory stays bounded by `window` items and results. With one thread, everything runs on the
/// calling thread.
///
/// `source` or `emit` returning an error stops the workers (after the item each is busy with)
/// and returns that error. A panic in `work` is raised again on the calling thread.
///
/// # Errors
/// The first error `source` or `emit` returns.
pub fn ordered_stream<In, S, T, E, R, I, W, D, F>(
    threads: usize,
    window: usize,
    mut source: R,
    init: I,
    work: W,
    done: D,
    mut emit: F,
) -> Result<(), E>
where
    In: Send,
    T: Send,
    R: FnMut() -> Result<Option<In>, E>,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, In) -> T + Sync,
    D: Fn(S) + Sync,
    F: FnMut(T) -> Result<(), E>,
{
    if threads <= 1 {
        let mut state = init();
        let mut result = Ok(());
        loop {
            match source() {
                Ok(Some(item)) => {
                    if let Err(e) = emit(work(&mut state, item)) {
                        result = Err(e);
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        done(state);
        return result;
    }
    let window = window.max(threads);
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = sync_channel::<(usize, In)>(window);
    let job_rx = Mutex::new(job_rx);
    type Outcome<T> = std::thread::Result<T>;
    let (res_tx, res_rx) = std::sync::mpsc::channel::<(usize, Outcome<T>)>();
    std::thread::scope(|scope| {
        let mut workers = Vec::new();
        for _ in 0..threads {
            let res_tx = res_tx.clone();
            let (job_rx, stop, init, work, done) = (&job_rx, &stop, &init, &work, &done);
            workers.push(scope.spawn(move || {
                let mut state = init();
                loop {
                    let job = job_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((i, item)) = job else { break };
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut state, item)));
                    let panicked = outcome.is_err();
                    if res_tx.send((i, outcome)).is_err() || panicked {
                        break;
                    }
                }
                done(state);
            }));
        }
        drop(res_tx);
        let mut pending: BTreeMap<usize, T> = BTreeMap::new();
        let (mut sent, mut want, mut eof) = (0usize, 0usize, false);
        let mut result = Ok(());
        let mut panic = None;
        'run: loop {
            while let Some(t) = pending.remove(&want) {
                if let Err(e) = emit(t) {
                    result = Err(e);
                    break 'run;
                }
                want += 1;
            }
            if eof && want == sent {
                break;
            }
            if !eof && sent - want < window {
                match source() {
                    Ok(Some(item)) => {
                        if job_tx.send((sent, item)).is_err() {
                            break;
                        }
                        sent += 1;
                    }
                    Ok(None) => eof = true,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
                // Take what is ready without waiting, and read on.
                while let Ok((i, outcome)) = res_rx.try_recv() {
                    match outcome {
                        Ok(t) => {
                            pending.insert(i, t);
                        }
                        Err(p) => {
                            panic = Some(p);
                            break 'run;
                        }
                    }
                }
                continue;
            }
            match res_rx.recv() {
                Ok((i, Ok(t))) => {
                    pending.insert(i, t);
                }
                Ok((_, Err(p))) => {
                    panic = Some(p);
                    break;
                }
                // Every worker has ended without the result awaited.
                Err(_) => break,
            }
        }
        stop.store(true, Ordering::SeqCst);
        drop(job_tx);
        // A worker's own panic (in `init` or `done`) is raised with its message.
        for w in workers {
            if let Err(p) = w.join() {
                panic.get_or_insert(p);
            }
        }
        if let Some(p) = panic {
            std::panic::resume_unwind(p);
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order() {
        for threads in [1, 2, 7] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = ordered(
                100,
                threads,
                4,
                |i| {
                    // Make later items finish first now and then.
                    if i % 7 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                    i * 2
                },
                |i, v| {
                    seen.push((i, v));
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (0..100).map(|i| (i, i * 2)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_emit_error_stops_early() {
        let done = AtomicUsize::new(0);
        let r = ordered(
            10_000,
            2,
            4,
            |i| {
                done.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i, _| if i == 3 { Err("closed") } else { Ok(()) },
        );
        assert_eq!(r, Err("closed"));
        assert!(done.load(Ordering::SeqCst) < 100, "workers stop soon after the error");
    }

    #[test]
    fn the_calling_thread_works_too_and_every_state_is_handed_back() {
        let states = AtomicUsize::new(0);
        let items = Mutex::new(Vec::new());
        let caller = std::thread::current().id();
        let by_caller = AtomicUsize::new(0);
        for (n, threads) in [(0, 3), (1, 1), (50, 1), (50, 2), (50, 5)] {
            states.store(0, Ordering::SeqCst);
            let mut seen = Vec::new();
            let r: Result<(), ()> = ordered_with(
                n,
                threads,
                2,
                || 0usize,
                |count, i| {
                    *count += 1;
                    if std::thread::current().id() == caller {
                        by_caller.fetch_add(1, Ordering::SeqCst);
                    }
                    items.lock().unwrap().push(i);
                    i
                },
                |count| {
                    states.fetch_add(count, Ordering::SeqCst);
                },
                |i, v| {
                    seen.push((i, v));
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (0..n).map(|i| (i, i)).collect::<Vec<_>>(), "{n} items on {threads} threads");
            assert_eq!(states.load(Ordering::SeqCst), n, "every item is counted in a state handed back");
        }
        // With one thread, the caller does all the work.
        assert!(by_caller.load(Ordering::SeqCst) >= 51);
        let mut all = items.into_inner().unwrap();
        all.sort_unstable();
        assert_eq!(all.len(), 1 + 50 * 3, "each item is worked once");
    }

    #[test]
    fn streamed_items_come_out_in_order_on_any_thread_count() {
        for threads in [1, 2, 5] {
            let mut next = 0u32;
            let mut seen = Vec::new();
            let states = AtomicUsize::new(0);
            let r: Result<(), ()> = ordered_stream(
                threads,
                3,
                || {
                    next += 1;
                    Ok((next <= 200).then_some(next))
                },
                || 0usize,
                |count, x| {
                    *count += 1;
                    if x % 9 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    x * 3
                },
                |count| {
                    states.fetch_add(count, Ordering::SeqCst);
                },
                |v| {
                    seen.push(v);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (1..=200).map(|x| x * 3).collect::<Vec<_>>(), "{threads} threads");
            assert_eq!(states.load(Ordering::SeqCst), 200, "every item is counted in a state handed back");
        }
    }

    #[test]
    fn a_stream_stops_at_the_first_error_of_source_or_emit() {
        for threads in [1, 3] {
            let mut next = 0u32;
            let r = ordered_stream(
                threads,
                4,
                || {
                    next += 1;
                    if next == 50 { Err("read failed") } else { Ok(Some(next)) }
                },
                || (),
                |(), x| x,
                |()| (),
                |_| Ok(()),
            );
            assert_eq!(r, Err("read failed"));
            let mut emitted = 0;
            let r = ordered_stream(threads, 4, || Ok(Some(1u8)), || (), |(), x| x, |()| (), |_| {
                emitted += 1;
                if emitted == 10 { Err("closed") } else { Ok(()) }
            });
            assert_eq!(r, Err("closed"), "an endless source ends with the output");
        }
    }

    /// Runs `f` on a thread of its own and says whether it panicked, failing the test if it has
    /// not ended within a minute (the defect these tests look for is a hang).
    fn panics_in_time(f: impl FnOnce() + Send + 'static) -> bool {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r.is_err());
        });
        rx.recv_timeout(std::time::Duration::from_secs(60)).expect("it hung")
    }

    #[test]
    fn a_panic_in_work_on_any_thread_reaches_the_caller_instead_of_hanging() {
        for threads in [1, 2, 4] {
            for bad in [0usize, 5, 40] {
                // Item `bad` panics, on whichever thread takes it; the others are slow enough for
                // the workers to be waiting on the window when it does.
                let panicked = panics_in_time(move || {
                    let _ = ordered::<_, (), _, _>(60, threads, 4, |i| {
                        if i == bad {
                            panic!("boom");
                        }
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        i
                    }, |_, _| Ok(()));
                });
                assert!(panicked, "{threads} threads, item {bad}");
            }
        }
        // An item of the calling thread's own panicking (any but the first), with workers
        // waiting on the window. Which items the calling thread takes depends on timing: the
        // run is repeated until it has taken one (workers are slowed down to make it likely).
        let mut tried = 0;
        loop {
            let took = std::sync::Arc::new(AtomicBool::new(false));
            let seen = std::sync::Arc::clone(&took);
            let panicked = panics_in_time(move || {
                let caller = std::thread::current().id();
                let _ = ordered_with::<_, _, (), _, _, _, _>(
                    50,
                    3,
                    3,
                    || (),
                    |(), i| {
                        if std::thread::current().id() == caller && i > 0 {
                            seen.store(true, Ordering::SeqCst);
                            panic!("boom on the caller");
                        }
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        i
                    },
                    |()| (),
                    |_, _| Ok(()),
                );
            });
            assert_eq!(panicked, took.load(Ordering::SeqCst), "a panic on the calling thread, and only then");
            tried += 1;
            if panicked {
                break;
            }
            assert!(tried < 50, "the calling thread never took an item but the first");
        }
        // And without a panic, the same calls finish.
        assert!(!panics_in_time(|| {
            let r = ordered::<_, (), _, _>(60, 4, 4, |i| i, |_, _| Ok(()));
            assert!(r.is_ok());
        }));
    }

    #[test]
    fn a_panic_in_emit_or_in_the_callers_init_stops_the_workers() {
        assert!(panics_in_time(|| {
            let _ = ordered::<_, (), _, _>(100, 4, 4, |i| i, |i, _| if i == 2 { panic!("emit") } else { Ok(()) });
        }));
        assert!(panics_in_time(|| {
            let caller = std::thread::current().id();
            let _ = ordered_with::<_, _, (), _, _, _, _>(
                100,
                3,
                3,
                || assert_ne!(std::thread::current().id(), caller, "init on the caller"),
                |(), i| i,
                |()| (),
                |_, _| Ok(()),
            );
        }));
    }

    /// A panic in a worker's `init` or `done` reaches the caller with its own message.
    #[test]
    fn a_panic_in_a_workers_init_or_done_keeps_its_message() {
        let message = |r: std::thread::Result<()>| {
            let p = r.expect_err("the panic is raised");
            p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
        };
        let caller = std::thread::current().id();
        let on_worker = move |what: &str| {
            if std::thread::current().id() != caller {
                panic!("{what} failed on a worker");
            }
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = ordered_with::<_, _, (), _, _, _, _>(50, 3, 3, || on_worker("init"), |(), i| i, |()| (), |_, _| Ok(()));
        }));
        assert_eq!(message(r), "init failed on a worker");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = ordered_with::<_, _, (), _, _, _, _>(50, 3, 3, || (), |(), i| i, |()| on_worker("done"), |_, _| Ok(()));
        }));
        assert_eq!(message(r), "done failed on a worker");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut items = 0..50;
            let _ = ordered_stream::<_, _, _, (), _, _, _, _, _>(3, 3, || Ok(items.next()), || on_worker("init"), |(), i| i, |()| (), |_| Ok(()));
        }));
        assert_eq!(message(r), "init failed on a worker");
    }

    #[test]
    fn a_panic_in_emit_still_hands_every_state_to_done() {
        let (inits, dones) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = ordered_with::<_, _, (), _, _, _, _>(
                100,
                3,
                3,
                || {
                    inits.fetch_add(1, Ordering::SeqCst);
                },
                |(), i| i,
                |()| {
                    dones.fetch_add(1, Ordering::SeqCst);
                },
                |i, _| if i == 5 { panic!("emit") } else { Ok(()) },
            );
        }));
        assert!(r.is_err(), "the panic is raised");
        assert_eq!(dones.load(Ordering::SeqCst), inits.load(Ordering::SeqCst));
    }

    #[test]
    fn parts_come_out_in_order_and_are_not_held_ahead_of_their_turn() {
        // Item `i` hands over `i % 5 * 12` parts; slow items make later ones wait their turn.
        for threads in [1, 2, 3, 7] {
            for round in 0..4usize {
                let made = AtomicUsize::new(0);
                let emitted = AtomicUsize::new(0);
                let most_ahead = AtomicUsize::new(0);
                // A window wider than the threads: parts must not fill it.
                let window = 16;
                let mut seen = Vec::new();
                let r: Result<(), ()> = ordered_parts(
                    40,
                    threads,
                    window,
                    || (),
                    |_, i, part, _| {
                        if (i + round) % 4 == 0 {
                            std::thread::sleep(std::time::Duration::from_micros(300));
                        }
                        for k in 0..i % 5 * 12 {
                            let ahead = made.fetch_add(1, Ordering::SeqCst) + 1 - emitted.load(Ordering::SeqCst);
                            most_ahead.fetch_max(ahead, Ordering::SeqCst);
                            assert!(part((i, Some(k))), "the run has not stopped");
                        }
                        (i, None)
                    },
                    |_| (),
                    |i, v| {
                        assert_eq!(i, v.0);
                        if v.1.is_some() {
                            // Slowly, so that parts would pile up if they could.
                            std::thread::sleep(std::time::Duration::from_micros(20));
                            emitted.fetch_add(1, Ordering::SeqCst);
                        }
                        seen.push(v);
                        Ok(())
                    },
                );
                assert!(r.is_ok());
                let want: Vec<(usize, Option<usize>)> =
                    (0..40).flat_map(|i| (0..i % 5 * 12).map(move |k| (i, Some(k))).chain([(i, None)])).collect();
                assert_eq!(seen, want, "{threads} threads");
                // Parts made and not yet emitted: two queued (QUEUED_PARTS), one being emitted, and one
                // waiting on each thread.
                let ahead = most_ahead.load(Ordering::SeqCst);
                assert!(ahead <= 2 + 1 + threads, "{ahead} parts held at once on {threads} threads");
            }
        }
    }

    #[test]
    fn a_part_after_an_emit_error_is_refused() {
        let refused = AtomicUsize::new(0);
        let r = ordered_parts(
            20,
            2,
            4,
            || (),
            |_, i, part, _| {
                for _ in 0..50 {
                    if !part(i) {
                        refused.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                }
                i
            },
            |_| (),
            |i, _| if i == 2 { Err("closed") } else { Ok(()) },
        );
        assert_eq!(r, Err("closed"));
        assert!(refused.load(Ordering::SeqCst) >= 1, "the item after the error was told to stop");
    }

    #[test]
    fn a_worker_busy_without_parts_is_told_the_run_stopped() {
        // Items from 2 on, on the workers, hand over no part and run until the run stops (or a
        // long time passes); the emit of item 1 fails once one of them is under way.
        let caller = std::thread::current().id();
        let busy = AtomicBool::new(false);
        let told = AtomicUsize::new(0);
        let patience = std::time::Duration::from_secs(20);
        let r = ordered_parts(
            8,
            3,
            4,
            || (),
            |_, i, _, stop| {
                if i < 2 || std::thread::current().id() == caller {
                    return i;
                }
                busy.store(true, Ordering::SeqCst);
                let start = std::time::Instant::now();
                while start.elapsed() < patience {
                    if stop.stopped() {
                        told.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                    std::thread::yield_now();
                }
                i
            },
            |_| (),
            |i, _| {
                if i == 0 {
                    return Ok(());
                }
                let start = std::time::Instant::now();
                while !busy.load(Ordering::SeqCst) && start.elapsed() < patience {
                    std::thread::yield_now();
                }
                Err("closed")
            },
        );
        assert_eq!(r, Err("closed"));
        assert!(busy.load(Ordering::SeqCst), "a worker took an item");
        assert!(told.load(Ordering::SeqCst) >= 1, "the busy worker was told the run had stopped");
    }

    #[test]
    fn no_item_is_worked_beyond_the_window() {
        // Emitted so far; an item is worked only within `window` of it, on any thread (a window
        // is at least as wide as the threads).
        for round in 0..50u64 {
            let emitted = AtomicUsize::new(0);
            let window = 3;
            let r: Result<(), ()> = ordered(
                30,
                3,
                window,
                |i| {
                    assert!(i < emitted.load(Ordering::SeqCst) + window, "item {i} beyond the window");
                    if (i as u64 + round) % 3 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                    i
                },
                |i, _| {
                    emitted.store(i + 1, Ordering::SeqCst);
                    Ok(())
                },
            );
            assert!(r.is_ok());
        }
    }

    #[test]
    fn a_panic_in_work_is_raised_even_after_an_emit_error() {
        // Item 1 panics later than item 0's result fails to be emitted (by then, after 50 ms,
        // a worker has long taken item 1).
        assert!(panics_in_time(|| {
            let _ = ordered::<_, &str, _, _>(
                10,
                3,
                4,
                |i| {
                    if i == 1 {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                        panic!("work");
                    }
                    i
                },
                |_, _| {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    Err("closed")
                },
            );
        }));
    }

    #[test]
    fn a_panicking_worker_panics_the_caller_instead_of_hanging() {
        let r = std::panic::catch_unwind(|| {
            let mut next = 0u32;
            let _ = ordered_stream::<_, _, _, (), _, _, _, _, _>(
                2,
                4,
                || {
                    next += 1;
                    Ok((next < 100).then_some(next))
                },
                || (),
                |(), x| if x == 7 { panic!("boom") } else { x },
                |()| (),
                |_| Ok(()),
            );
        });
        assert!(r.is_err());
    }
}
