//! A deliberately simple reference cleaner: the whole document in memory, every rule tried on
//! every fully normalized line, the policies applied in separate passes over the document. The
//! streaming engine must produce exactly the same bytes.

use chaff::RuleSet;
use chaff::engine::content_len;
use chaff::rules::normalize::{char_count, normalize};
use chaff::rules::{Action, Mode};
use regex::bytes::Regex;

const CUT_GUARD: u64 = 500;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum D {
    Keep,
    Blank,
    Dropped,
}

struct Class {
    blank: bool,
    shape: bool,
    bullet: bool,
    long: bool,
    /// Every rule that matches, in rule order.
    hits: Vec<(usize, Action)>,
}

/// The rule that acts on a line with `hits`, after `prose_words` words of prose: `cut` over
/// `thread` over `footer` over `drop`, then the earliest; a rule other than a `cut` with a larger
/// `after-words` does not match.
fn best(rules: &RuleSet, hits: &[(usize, Action)], prose_words: usize) -> Option<(usize, Action)> {
    let mut hit: Option<(usize, Action)> = None;
    for &(i, action) in hits {
        if action != Action::Cut && rules.rules()[i].after_words.is_some_and(|n| prose_words < n) {
            continue;
        }
        if hit.is_none_or(|(_, a)| action > a) {
            hit = Some((i, action));
        }
    }
    hit
}

fn split_lines(input: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' {
            lines.push(&input[start..=i]);
            start = i + 1;
        }
    }
    if start < input.len() {
        lines.push(&input[start..]);
    }
    lines
}

fn is_ws_byte_seq(line: &[u8]) -> (usize, bool) {
    // Returns the length of the leading white space (space, tab, CR, LF, NBSP), and whether the
    // whole line is white space.
    let mut i = 0;
    while i < line.len() {
        if matches!(line[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        } else if line[i] == 0xC2 && line.get(i + 1) == Some(&0xA0) {
            i += 2;
        } else {
            break;
        }
    }
    // Blank: only white space as normalization counts it (U+3000, U+200B, U+FEFF, FF...).
    (i, chaff::rules::normalize::trim_end_white(line).is_empty())
}

fn classify(rules: &RuleSet, regexes: &[Option<Regex>], line: &[u8], max_line: usize) -> Class {
    let content = &line[..content_len(line)];
    if content.len() > max_line {
        return Class { blank: false, shape: false, bullet: false, long: true, hits: Vec::new() };
    }
    let (lead, blank) = is_ws_byte_seq(line);
    if blank {
        return Class { blank: true, shape: false, bullet: false, long: false, hits: Vec::new() };
    }
    let rest = &line[lead..];
    let bullet = ["•", "·", "▪", "◦", "‣", "●", "- ", "* ", "– "].iter().any(|b| rest.starts_with(b.as_bytes()));
    let norm = normalize(line);
    // The text of a list item: what follows its marker (and one space after a symbol).
    let item = ["* ", "- ", "+ ", "\u{2013} "]
        .iter()
        .find_map(|m| norm.strip_prefix(m.as_bytes()))
        .or_else(|| {
            let rest = ["\u{2022}", "\u{b7}", "\u{25aa}", "\u{25e6}", "\u{2023}", "\u{25cf}"].iter().find_map(|m| norm.strip_prefix(m.as_bytes()))?;
            Some(rest.strip_prefix(b" ").unwrap_or(rest))
        });
    let chars = char_count(&norm);
    let mut hits = Vec::new();
    for (i, rule) in rules.rules().iter().enumerate() {
        if rule.max_chars.is_some_and(|n| chars > n) {
            continue;
        }
        let m = match rule.mode {
            Mode::Line => norm == rule.norm || item.is_some_and(|t| t == rule.norm.as_slice()),
            Mode::Prefix => norm.starts_with(&rule.norm) || item.is_some_and(|t| t.starts_with(&rule.norm)),
            Mode::Contains => memchr::memmem::find(&norm, &rule.norm).is_some(),
            Mode::Regex => regexes[i].as_ref().is_some_and(|re| re.is_match(&norm)),
            Mode::Context => false,
        };
        if m {
            hits.push((i, rule.action));
        }
    }
    Class { blank: false, shape: lead > 0 || bullet, bullet, long: false, hits }
}

/// Cleans `input` as the engine should, treating lines longer than `max_line` bytes (before
/// their `\n`) as kept and unmatched.
pub fn clean(rules: &RuleSet, input: &[u8], max_line: usize) -> Vec<u8> {
    let regexes: Vec<Option<Regex>> = rules
        .rules()
        .iter()
        .map(|r| (r.mode == Mode::Regex).then(|| Regex::new(&format!("(?i){}", r.phrase)).expect("valid regex")))
        .collect();
    let has_thread = rules.rules().iter().any(|r| r.action == Action::Thread);
    let lines = split_lines(input);
    let classes: Vec<Class> = lines.iter().map(|l| classify(rules, &regexes, l, max_line)).collect();

    // Pass 1: cut, threads, drops.
    let mut d = vec![D::Keep; lines.len()];
    // Lines of `footer` rules that mark the page's footer: `page-tail` is in use, and its
    // `footer-words` words of prose (and the bytes a cut needs) came before them.
    let mut armed = vec![false; lines.len()];
    let footer_words = rules.context().tail.map(|t| t.footer_words);
    let mut clean_bytes = 0u64;
    let mut prose_words = 0usize;
    #[derive(PartialEq)]
    enum Phase {
        Normal,
        Cut,
        Thread,
    }
    let mut phase = Phase::Normal;
    let mut run_start: Option<usize> = None;
    for (i, c) in classes.iter().enumerate() {
        if c.long {
            clean_bytes += content_len(lines[i]) as u64;
            d[i] = if phase == Phase::Cut { D::Dropped } else { D::Keep };
            if phase == Phase::Thread {
                phase = Phase::Normal;
            }
            run_start = None;
            continue;
        }
        let hit = best(rules, &c.hits, prose_words);
        if !c.blank && hit.is_none() {
            clean_bytes += content_len(lines[i]) as u64;
            let shape = chaff::engine::context::shape_of(lines[i]);
            if shape.is_prose() {
                prose_words += shape.words;
            }
        }
        let base = if c.blank {
            D::Blank
        } else if hit.is_some() {
            D::Dropped
        } else {
            D::Keep
        };
        match phase {
            Phase::Cut => {
                d[i] = if c.blank { D::Blank } else { D::Dropped };
                continue;
            }
            Phase::Thread => {
                if c.blank || c.shape {
                    if !matches!(hit, Some((_, Action::Cut))) {
                        d[i] = if c.blank { D::Blank } else { D::Dropped };
                        continue;
                    }
                } else {
                    phase = Phase::Normal;
                }
            }
            Phase::Normal => {}
        }
        if let Some((r, Action::Cut)) = hit {
            if clean_bytes >= CUT_GUARD && prose_words >= rules.rules()[r].after_words.unwrap_or(0) {
                run_start = None;
                d[i] = D::Dropped;
                phase = Phase::Cut;
                continue;
            }
            // A guarded cut drops its own line only, as a drop: a thread's run goes on.
        }
        d[i] = base;
        if let Some((_, Action::Footer)) = hit {
            armed[i] = footer_words.is_some_and(|w| clean_bytes >= CUT_GUARD && prose_words >= w);
        }
        if has_thread && (c.blank || c.shape) {
            let start = *run_start.get_or_insert(i);
            if let Some((_, Action::Thread)) = hit {
                let from = (start..=i)
                    .find(|&j| classes[j].bullet)
                    .or_else(|| (start..=i).find(|&j| !classes[j].blank))
                    .unwrap_or(start);
                for dj in d.iter_mut().take(i + 1).skip(from) {
                    if *dj == D::Keep {
                        *dj = D::Dropped;
                    }
                }
                phase = Phase::Thread;
                run_start = None;
            }
            continue;
        }
        run_start = None;
    }

    // Pass 2: context rules, on what the other rules kept.
    let long: Vec<bool> = classes.iter().map(|c| c.long).collect();
    apply_context(rules, &lines, &long, &armed, &mut d);

    // Pass 3: the blank-line policy.
    let mut written = vec![false; lines.len()];
    let kept: Vec<usize> = (0..lines.len()).filter(|&i| d[i] == D::Keep).collect();
    let any_dropped = |a: usize, b: usize| (a..b).any(|j| d[j] == D::Dropped);
    for &k in &kept {
        written[k] = true;
    }
    let write_all_blanks = |a: usize, b: usize, written: &mut Vec<bool>| {
        for j in a..b {
            if d[j] == D::Blank {
                written[j] = true;
            }
        }
    };
    match (kept.first(), kept.last()) {
        (Some(&first), Some(&last)) => {
            if !any_dropped(0, first) {
                write_all_blanks(0, first, &mut written);
            }
            if !any_dropped(last + 1, lines.len()) {
                write_all_blanks(last + 1, lines.len(), &mut written);
            }
            for w in kept.windows(2) {
                let (a, b) = (w[0] + 1, w[1]);
                if !any_dropped(a, b) {
                    write_all_blanks(a, b, &mut written);
                    continue;
                }
                // The first longest run of blank lines between the two kept lines.
                let (mut best, mut best_len, mut cur, mut cur_len) = (a, 0, a, 0);
                for (j, dj) in d.iter().enumerate().take(b + 1).skip(a) {
                    if j < b && *dj == D::Blank {
                        if cur_len == 0 {
                            cur = j;
                        }
                        cur_len += 1;
                    } else {
                        if cur_len > best_len {
                            best = cur;
                            best_len = cur_len;
                        }
                        cur_len = 0;
                    }
                }
                write_all_blanks(best, best + best_len, &mut written);
            }
        }
        _ => {
            if !any_dropped(0, lines.len()) {
                write_all_blanks(0, lines.len(), &mut written);
            }
        }
    }
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if written[i] {
            out.extend_from_slice(l);
        }
    }
    out
}

/// `page-head`, then `menu-run`, then `page-tail`, over the whole document (see engine/context.rs for the rules).
fn apply_context(rules: &RuleSet, lines: &[&[u8]], long: &[bool], armed: &[bool], d: &mut [D]) {
    use chaff::engine::context::{MAX_HEAD_BYTES, MAX_HEAD_LINES, shape_of};
    let ctx = rules.context();
    let shapes: Vec<_> = lines.iter().map(|l| shape_of(l)).collect();
    let worded_kept = |d: &[D], i: usize| d[i] == D::Keep && !long[i] && shapes[i].words > 0;
    // The lines `page-head` dropped (the head's and the teasers'), which `page-chrome` does not
    // count.
    let mut by_head = vec![false; lines.len()];
    // The lines `menu-run` dropped.
    let mut by_menu = vec![false; lines.len()];
    // Where the article begins (for the lead, below).
    let mut lead_from: Option<usize> = None;
    if let Some(head) = ctx.head {
        use chaff::engine::context::WIDE_WORDS;
        // The article begins at the first prose (or over-long) kept line, or at the first of a
        // run of wide worded kept lines with no worded kept line between them once a line of
        // the run ends like a sentence (or an excerpt) or one after its first starts in
        // lowercase (a line that starts otherwise after one that ends no sentence, before
        // that, begins the run anew), or at the first of two lines in a row of a paragraph wrapped narrow,
        // whichever is seen first.
        // With `confirm`, a prose line of fewer than `lead_words` words only begins it when a
        // prose line or a line of WIDE_WORDS words (or an over-long line) follows within
        // `confirm` worded lines; if none is confirmed before the head's end (the document's
        // end or its limits), the first such line begins it.
        let mut start: Option<usize> = None;
        let mut candidate: Option<(usize, usize)> = None;
        let mut fallback: Option<usize> = None;
        // The run of wide lines the last worded kept line ends: its first line, and whether it
        // reads as a paragraph yet.
        let mut wide_run: Option<(usize, bool)> = None;
        // The last worded kept line ended like a sentence (or an excerpt).
        let mut prev_ends = false;
        // The line before, if it is a worded kept line of TAIL_WIDE_BYTES without a list marker
        // that ends no sentence: a lowercase line of as many bytes after it begins the article
        // there (a paragraph wrapped too narrow for wide lines).
        let mut prev_open: Option<usize> = None;
        let wide_bytes = |i: usize| shapes[i].bytes >= chaff::engine::context::TAIL_WIDE_BYTES && !shapes[i].bullet;
        let mut bytes = 0;
        let mut ended = false;
        for i in 0..lines.len() {
            if d[i] == D::Keep && long[i] {
                start = Some(candidate.map_or(i, |c| c.0));
                ended = true;
                break;
            }
            bytes += content_len(lines[i]);
            let open_before = prev_open;
            prev_open = (worded_kept(d, i) && wide_bytes(i) && !shapes[i].sentence_end).then_some(i);
            if worded_kept(d, i) {
                let (words, prose) = (shapes[i].words, shapes[i].is_prose());
                // A line in title case (a headline) is no paragraph's line.
                let wide = words >= WIDE_WORDS && !shapes[i].bullet && !title_case(lines[i]);
                let ends = shapes[i].sentence_end || shapes[i].ellipsis;
                // After a line that ends no sentence, a line that does not go on in lowercase
                // may be the next headline of a list: the paragraph would begin there.
                let run = wide_run.filter(|_| wide).map(|(first, read)| {
                    if !read && !shapes[i].lower_start && !prev_ends { (i, ends) } else { (first, read || ends || shapes[i].lower_start) }
                });
                let mut s = match run {
                    Some((first, true)) => Some(first),
                    _ if prose => Some(i),
                    _ if shapes[i].lower_start && wide_bytes(i) => open_before,
                    _ => None,
                };
                if head.confirm > 0 {
                    if let Some((c, seen)) = candidate {
                        if prose || words >= WIDE_WORDS {
                            s = Some(c);
                        } else {
                            candidate = (seen + 1 < head.confirm).then_some((c, seen + 1));
                            s = None;
                        }
                    } else if s == Some(i) && words < head.lead_words {
                        candidate = Some((i, 0));
                        fallback.get_or_insert(i);
                        s = None;
                    }
                }
                wide_run = wide.then(|| run.unwrap_or((i, ends)));
                prev_ends = ends;
                if s.is_some() {
                    start = s;
                    ended = true;
                    break;
                }
            }
            if i + 1 > MAX_HEAD_LINES || bytes > MAX_HEAD_BYTES {
                start = fallback;
                ended = true;
                break;
            }
        }
        if !ended {
            start = fallback;
        }
        if let Some(start) = start {
            // Of the worded kept lines and the dropped lines before the start, the last `keep`
            // stay as they are; every other kept line before it, worded or not, is dropped.
            let before: Vec<usize> = (0..start).filter(|&i| worded_kept(d, i) || (d[i] == D::Dropped && !long[i])).collect();
            let spared = &before[before.len().saturating_sub(head.keep)..];
            for i in 0..start {
                if d[i] == D::Keep && !long[i] && !spared.contains(&i) {
                    d[i] = D::Dropped;
                    by_head[i] = true;
                }
            }
        }
        lead_from = start;
    }
    if let (Some(head), Some(m)) = (ctx.head, ctx.menu) {
        use chaff::engine::context::{MAX_HEAD_BYTES, MAX_HEAD_LINES};
        // The lead, with `teaser_words`: from the article's first line, until that many words of
        // prose lines and of wide lines right after a wide line, an over-long line, the end, or
        // MAX_HEAD_LINES lines or MAX_HEAD_BYTES from the first line. A run of `min_run` short
        // lines in it (judged as `menu-run` judges one, from the first line on) after
        // `chrome_before` dropped lines shows the first line to be a teaser: the worded kept
        // lines from it to the run are dropped, and the next kept line after the run's
        // `min_run`-th that is prose or wide (before any over-long line) begins a new lead. With
        // `teaser_short`, so does a short line that makes that many short lines in the lead (not
        // counting those that hold a colon or begin with a digit) in such a run after chrome;
        // the lines dropped are those before its run.
        let mut from = lead_from.filter(|_| head.teaser_words > 0);
        while let Some(first) = from.take() {
            let mut prose = 0;
            let mut run: Option<usize> = None;
            let (mut short, mut guarded, mut after_chrome, mut colon) = (0, false, false, false);
            let mut entries = 0;
            let mut bytes = 0;
            let mut prev_wide = false;
            // Prose (or wrapped) lines before the lead's first short line, and their words.
            let (mut opening, mut opening_words, mut seen_short) = (0, 0, false);
            // Lines dropped by other rules than `page-head` since the last worded kept line: a
            // run that begins counts them as its short lines too.
            let mut drops_before = 0usize;
            for i in first..lines.len() {
                if long[i] {
                    break;
                }
                bytes += content_len(lines[i]);
                if i - first + 1 > MAX_HEAD_LINES || bytes > MAX_HEAD_BYTES {
                    break;
                }
                let wide = worded_kept(d, i) && shapes[i].is_wide() && !title_case(lines[i]);
                let wrapped = wide && prev_wide;
                prev_wide = wide;
                // A line dropped by another rule than `page-head` in a run counts as one of its
                // short lines.
                let found = d[i] == D::Dropped && !by_head[i];
                let dropped_in_run = found && run.is_some();
                if found && run.is_none() {
                    drops_before += 1;
                }
                if !worded_kept(d, i) && !dropped_in_run {
                    continue;
                }
                if dropped_in_run || shapes[i].is_short(m.max_words) {
                    if run.is_none() {
                        run = Some(i);
                        short = std::mem::take(&mut drops_before);
                        guarded = colon;
                        after_chrome = (0..i).filter(|&j| d[j] == D::Dropped && !long[j]).count() >= m.chrome_before;
                    }
                    short += 1;
                    seen_short = true;
                    if !dropped_in_run && !label(lines[i]) {
                        entries += 1;
                    }
                    let many = head.teaser_short > 0 && entries >= head.teaser_short;
                    let run_teaser = short >= m.min_run && opening < head.article_lines;
                    if after_chrome && !guarded && opening_words < head.article_words && (run_teaser || many) {
                        for j in first..run.unwrap_or(first) {
                            if worded_kept(d, j) {
                                d[j] = D::Dropped;
                                by_head[j] = true;
                            }
                        }
                        from = (i + 1..lines.len())
                            .take_while(|&j| !long[j])
                            .find(|&j| worded_kept(d, j) && (shapes[j].is_prose() || shapes[j].is_wide()));
                        break;
                    }
                } else {
                    run = None;
                    drops_before = 0;
                    colon = shapes[i].colon_end;
                    if shapes[i].is_prose() || wrapped {
                        prose += shapes[i].words;
                        if !seen_short {
                            opening += 1;
                            opening_words += shapes[i].words;
                        }
                        if prose >= head.teaser_words {
                            break;
                        }
                    }
                }
            }
        }
    }
    if let Some(m) = ctx.menu {
        use chaff::engine::context::{MAX_RUN_BYTES, MAX_RUN_LINES};
        // Runs: short worded kept lines with only blank, dropped or wordless lines between them,
        // ended by any other worded kept line, an over-long line or the end; a line dropped by
        // another rule than `page-head` after a run's first short line counts as one of them. A run of `min_run`
        // short lines is dropped if `chrome_before` lines before its first one were dropped, and
        // one of `long_run` short lines in any case; unless the worded line before it ends with
        // a colon. A run that has not reached its length ends, kept, where the lines from its
        // first one would be more than MAX_RUN_LINES or MAX_RUN_BYTES.
        let mut run: Vec<usize> = Vec::new();
        let mut guarded = false;
        let mut after_chrome = false;
        let mut last_colon = false;
        // Lines dropped by other rules than `page-head` since the last worded kept line, which
        // a run that begins counts as its short lines too; those its run counts.
        let (mut drops_before, mut extra) = (0usize, 0usize);
        let end_run = |run: &mut Vec<usize>, extra: usize, guarded: bool, after_chrome: bool, d: &mut [D], by_menu: &mut [bool]| {
            let need = if after_chrome { m.min_run } else { m.long_run };
            if run.len() + extra >= need && !guarded {
                for &i in run.iter() {
                    by_menu[i] |= d[i] == D::Keep;
                    d[i] = D::Dropped;
                }
            }
            run.clear();
        };
        for i in 0..lines.len() {
            if long[i] {
                end_run(&mut run, extra, guarded, after_chrome, d, &mut by_menu);
                last_colon = false;
                drops_before = 0;
                continue;
            }
            if let Some(&first) = run.first() {
                let need = if after_chrome { m.min_run } else { m.long_run };
                let held = lines[first..=i].iter().map(|l| content_len(l)).sum::<usize>();
                if !guarded && run.len() + extra < need && (i - first + 1 > MAX_RUN_LINES || held > MAX_RUN_BYTES) {
                    end_run(&mut run, extra, guarded, after_chrome, d, &mut by_menu);
                }
            }
            if !worded_kept(d, i) {
                // A line dropped by another rule than `page-head` counts as one of its short lines.
                if d[i] == D::Dropped && !by_head[i] {
                    if run.is_empty() {
                        drops_before += 1;
                    } else if !guarded {
                        run.push(i);
                    }
                }
                continue;
            }
            if shapes[i].is_short(m.max_words) {
                if run.is_empty() {
                    guarded = last_colon;
                    after_chrome = (0..i).filter(|&j| d[j] == D::Dropped && !long[j]).count() >= m.chrome_before;
                    extra = if guarded { 0 } else { std::mem::take(&mut drops_before) };
                }
                run.push(i);
            } else {
                end_run(&mut run, extra, guarded, after_chrome, d, &mut by_menu);
                last_colon = shapes[i].colon_end;
                drops_before = 0;
            }
        }
        end_run(&mut run, extra, guarded, after_chrome, d, &mut by_menu);
    }
    if let Some(t) = ctx.tail {
        use chaff::engine::context::{MAX_TAIL_BYTES, TAIL_WIDE_BYTES};
        // Article lines: over-long kept lines, and worded kept lines not ending in an ellipsis,
        // of `long_bytes` bytes (trimmed), or ending like a sentence with `prose_words` words,
        // right after a kept worded line of TAIL_WIDE_BYTES bytes without a list marker, or after
        // an article line with only blank lines between; or starting with a lowercase letter
        // right after such a wide line that does not end like a sentence.
        //
        // After an article line, the lines from the next kept one are the zone; the next article
        // line ends it and keeps it, unless it stands alone: `confirm` is set, no lone line is
        // waiting, and the zone holds `lone_after` worded lines or more (lines dropped since the
        // article line by other rules than `page-head` and `menu-run`, two or more in a row with
        // only blank lines between them, count among them), fewer than 30% of the worded ones
        // items, with no colon at the end of the article line before it or of its first worded
        // line (items and colons do not count once `chrome_before` lines were dropped before it),
        // and `page_chrome` lines were dropped before it by other rules than `page-head`, or
        // `page_drops` in all (clean text has no teasers). A lone line joins the zone and waits: an article line within `confirm` worded
        // lines ends the zone (and keeps it), else it is one more line of the zone. A zone of more
        // than `tail_bytes` bytes is kept, and nothing is a zone until the next article line.
        // At the end, or at an over-long line in a cut, the zone's kept lines are dropped.
        //
        // The page's footer: at a kept line after a run of `footer_run` dropped lines or more
        // (blank lines between them aside) that holds an armed `footer` line, the zone is
        // decided as at the end, and that line and every kept line after it are dropped, up to
        // the next over-long line.
        assert!(t.tail_bytes <= MAX_TAIL_BYTES);
        // Lines dropped before each line by the rules before this one (`chrome-before`).
        let mut chrome = vec![0usize; lines.len()];
        for i in 1..lines.len() {
            chrome[i] = chrome[i - 1] + usize::from(d[i - 1] == D::Dropped && !long[i - 1]);
        }
        let chrome_total = (0..lines.len()).filter(|&j| d[j] == D::Dropped && !long[j]).count();
        // The same, without the lines `page-head` dropped.
        let mut found = vec![0usize; lines.len()];
        for i in 1..lines.len() {
            found[i] = found[i - 1] + usize::from(d[i - 1] == D::Dropped && !long[i - 1] && !by_head[i - 1]);
        }
        let found_total = (0..lines.len()).filter(|&j| d[j] == D::Dropped && !long[j] && !by_head[j]).count();
        let mut after: Option<bool> = None; // an article line came; whether it ends in a colon
        let mut zone: Vec<usize> = Vec::new();
        let (mut worded, mut items, mut colon) = (0usize, 0usize, false);
        // Lines dropped since the last article line, in runs of two or more; the current run.
        let mut drops = 0usize;
        let mut drop_run = 0usize;
        let mut lone: Option<usize> = None;
        let mut prev_wide = false;
        let mut prev_title = false;
        let mut prev_article = false;
        let mut prev_open = false;
        let (mut foot_run, mut foot_mark, mut footer) = (0usize, false, false);
        let drop_zone = |zone: &mut Vec<usize>, d: &mut [D]| {
            for &i in zone.iter() {
                if d[i] == D::Keep {
                    d[i] = D::Dropped;
                }
            }
            zone.clear();
        };
        for i in 0..lines.len() {
            let (kept, s) = (d[i] == D::Keep, &shapes[i]);
            if long[i] {
                if kept {
                    after = Some(false);
                } else if after.is_some() {
                    drop_zone(&mut zone, d);
                    after = None;
                }
                zone.clear();
                (worded, items, colon, lone, prev_wide, prev_article, prev_open, prev_title) = (0, 0, false, None, false, kept, false, false);
                (drops, drop_run) = (0, 0);
                (foot_run, foot_mark, footer) = (0, false, false);
                continue;
            }
            if footer {
                if d[i] == D::Keep {
                    d[i] = D::Dropped;
                }
                continue;
            }
            match d[i] {
                D::Dropped if !by_head[i] && !by_menu[i] => {
                    drop_run += 1;
                    if after.is_some() && drop_run >= 2 {
                        drops += if drop_run == 2 { 2 } else { 1 };
                    }
                }
                D::Blank => {}
                _ => drop_run = 0,
            }
            match d[i] {
                D::Dropped => {
                    foot_run += 1;
                    foot_mark |= armed[i];
                }
                D::Keep if foot_mark && foot_run >= t.footer_run => {
                    if after.is_some() && (found[i] >= t.page_chrome || chrome[i] >= t.page_drops) {
                        drop_zone(&mut zone, d);
                    }
                    (zone, after, footer) = (Vec::new(), None, true);
                    d[i] = D::Dropped;
                    continue;
                }
                D::Keep => (foot_run, foot_mark) = (0, false),
                D::Blank => {}
            }
            let is_worded = kept && s.words > 0;
            // A line in title case under `long_bytes` (a headline) is no paragraph's first part.
            let goes_on = !prev_title;
            let article = kept
                && s.words > 0
                && !s.ellipsis
                && (s.bytes >= t.long_bytes
                    || (prev_open && s.lower_start && goes_on)
                    || (s.sentence_end && (s.words >= t.prose_words || (prev_wide && goes_on) || prev_article)));
            prev_wide = kept && s.words > 0 && s.bytes >= TAIL_WIDE_BYTES && !s.bullet;
            prev_title = prev_wide && s.bytes < t.long_bytes && title_case(lines[i]);
            prev_open = prev_wide && !s.sentence_end;
            if d[i] != D::Blank {
                prev_article = article;
            }
            if article {
                let stands_alone = t.confirm > 0
                    && lone.is_none()
                    && after.is_some()
                    && worded + drops >= t.lone_after
                    && (found[i] >= t.page_chrome || chrome[i] >= t.page_drops)
                    && (((items == 0 || items * 10 < worded * 3) && !colon) || chrome[i] >= t.chrome_before);
                if !stands_alone {
                    zone.clear();
                    (worded, items, lone, drops) = (0, 0, None, 0);
                    after = Some(s.colon_end);
                    colon = s.colon_end;
                    continue;
                }
                lone = Some(0);
            } else if let Some(seen) = lone.filter(|_| is_worded) {
                lone = (seen + 1 < t.confirm).then_some(seen + 1);
            }
            if after.is_none() || (zone.is_empty() && !kept) {
                continue;
            }
            if is_worded {
                colon |= worded == 0 && s.colon_end;
                worded += 1;
                items += usize::from(s.item);
            }
            zone.push(i);
            let bytes: usize = zone.iter().map(|&j| content_len(lines[j])).sum();
            if bytes > t.tail_bytes {
                zone.clear();
                (worded, items, lone, drops) = (0, 0, None, 0);
                after = None;
            }
        }
        // At the end, only on a page that had chrome dropped: clean text keeps its last lines.
        if after.is_some() && (found_total >= t.page_chrome || chrome_total >= t.page_drops) {
            drop_zone(&mut zone, d);
        }
    }
}

/// A label or a numbered heading (`Price: $30`, `2. Jump rope`), which `teaser-short` does not
/// count: the line, without white space at its start, begins with an ASCII digit, or it holds a
/// colon, ASCII or full-width.
fn label(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_start_matches([' ', '\t', '\r', '\n', '\u{A0}']);
    text.starts_with(|c: char| c.is_ascii_digit()) || text.contains([':', '\u{FF1A}'])
}

/// A headline in title case: it does not begin (after white space) with a lowercase ASCII
/// letter, and it has at least TITLE_WORDS runs of four or more ASCII letters, no more than one
/// in five of them beginning in lowercase.
fn title_case(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    if text.trim_start_matches([' ', '\t', '\r', '\n', '\u{A0}']).starts_with(|c: char| c.is_ascii_lowercase()) {
        return false;
    }
    let (mut long, mut lower, mut run, mut first_lower) = (0, 0, 0, false);
    for &b in line.iter().chain(std::iter::once(&b' ')) {
        if b.is_ascii_alphabetic() {
            if run == 0 {
                first_lower = b.is_ascii_lowercase();
            }
            run += 1;
        } else {
            if run >= 4 {
                long += 1;
                lower += usize::from(first_lower);
            }
            run = 0;
        }
    }
    long >= chaff::engine::context::TITLE_WORDS && lower * 5 <= long
}
