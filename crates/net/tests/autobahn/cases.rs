//! The Autobahn testsuite's case catalogue (sections 1–7, 9, 10, 12, 13), ported: each case
//! keeps its number, what it sends and what it expects (`autobahntestsuite/case/case*.py`).
//! Sections 9, 12 and 13 run at CI sizes unless `AUTOBAHN_FULL=1`: section 9's sizes are
//! divided by 16 and its counts by 10, sections 12/13 send 5 messages per case, not 1000.

use std::sync::OnceLock;
use std::time::Duration;

use super::fuzzer::{Case, DeflateCase, EchoRun, Ev, Step};

fn full() -> bool {
    std::env::var_os("AUTOBAHN_FULL").is_some()
}

fn f(fin: bool, op: u8, payload: &[u8]) -> Step {
    Step::Frame { fin, rsv: 0, op, payload: payload.to_vec(), chop: None }
}

fn chopped(op: u8, payload: &[u8], chop: usize) -> Step {
    Step::Frame { fin: true, rsv: 0, op, payload: payload.to_vec(), chop: Some(chop) }
}

fn rsv(op: u8, payload: &[u8], rsv: u8, chop: Option<usize>) -> Step {
    Step::Frame { fin: true, rsv, op, payload: payload.to_vec(), chop }
}

fn text(p: &[u8]) -> Ev {
    Ev::Message { binary: false, payload: p.to_vec() }
}

fn binary(p: &[u8]) -> Ev {
    Ev::Message { binary: true, payload: p.to_vec() }
}

fn pong(p: &[u8]) -> Ev {
    Ev::Pong(p.to_vec())
}

/// A case the endpoint must answer and that the fuzzer then closes normally.
fn echo(id: &str, steps: Vec<Step>, ok: Vec<Ev>) -> Case {
    Case { ok, ..Case::new(id, steps) }
}

/// A case the endpoint must fail (close 1002 or drop TCP); `ok` are the events before it.
fn fail(id: &str, steps: Vec<Step>, ok: Vec<Ev>, non_strict: Option<Vec<Ev>>) -> Case {
    Case {
        ok,
        non_strict,
        closed_by_me: false,
        codes: vec![1002],
        require_clean: false,
        ..Case::new(id, steps)
    }
}

/// A case of section 7 where the fuzzer sends a close frame with `payload`.
fn close(id: &str, pre: Vec<Step>, payload: Vec<u8>, codes: Vec<u16>, clean: bool) -> Case {
    let mut steps = pre;
    steps.push(Step::CloseRaw(payload));
    Case { codes, require_clean: clean, ..Case::new(id, steps) }
}

fn section1() -> Vec<Case> {
    let mut v = Vec::new();
    for (op, fill, sec, ev) in [(1u8, b'*', 1, text as fn(&[u8]) -> Ev), (2, 0xFE, 2, binary)] {
        for (i, len) in [0usize, 125, 126, 127, 128, 65535, 65536].into_iter().enumerate() {
            let p = vec![fill; len];
            v.push(echo(&format!("1.{sec}.{}", i + 1), vec![f(true, op, &p)], vec![ev(&p)]));
        }
        let p = vec![fill; 65536];
        v.push(echo(&format!("1.{sec}.8"), vec![chopped(op, &p, 997)], vec![ev(&p)]));
    }
    v
}

fn section2() -> Vec<Case> {
    let bin = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff".to_vec();
    let mut v = vec![
        echo("2.1", vec![f(true, 9, b"")], vec![pong(b"")]),
        echo("2.2", vec![f(true, 9, b"Hello, world!")], vec![pong(b"Hello, world!")]),
        echo("2.3", vec![f(true, 9, &bin)], vec![pong(&bin)]),
        echo("2.4", vec![f(true, 9, &[0xFE; 125])], vec![pong(&[0xFE; 125])]),
        fail("2.5", vec![f(true, 9, &[0xFE; 126])], vec![], None),
        echo("2.6", vec![chopped(9, &[0xFE; 125], 1)], vec![pong(&[0xFE; 125])]),
        echo("2.7", vec![f(true, 10, b"")], vec![]),
        echo("2.8", vec![f(true, 10, b"unsolicited pong payload")], vec![]),
        echo(
            "2.9",
            vec![f(true, 10, b"unsolicited pong payload"), f(true, 9, b"ping payload")],
            vec![pong(b"ping payload")],
        ),
    ];
    for (id, chop) in [("2.10", None), ("2.11", Some(1))] {
        let steps = (0..10)
            .map(|i| Step::Frame {
                fin: true,
                rsv: 0,
                op: 9,
                payload: format!("payload-{i}").into_bytes(),
                chop,
            })
            .collect();
        let ok = (0..10).map(|i| pong(format!("payload-{i}").as_bytes())).collect();
        v.push(echo(id, steps, ok));
    }
    v
}

fn section3() -> Vec<Case> {
    let hello = b"Hello, world!";
    let then_bad = |id: &str, bits: u8, chop: Option<usize>| {
        let steps = vec![
            Step::Frame { fin: true, rsv: 0, op: 1, payload: hello.to_vec(), chop },
            rsv(1, hello, bits, chop),
            Step::Frame { fin: true, rsv: 0, op: 9, payload: vec![], chop },
        ];
        fail(id, steps, vec![text(hello)], Some(vec![]))
    };
    vec![
        fail("3.1", vec![rsv(1, hello, 1, None)], vec![], None),
        then_bad("3.2", 2, None),
        then_bad("3.3", 3, None),
        then_bad("3.4", 4, Some(1)),
        fail("3.5", vec![rsv(2, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 5, None)], vec![], None),
        fail("3.6", vec![rsv(9, hello, 6, None)], vec![], None),
        fail("3.7", vec![rsv(8, b"", 7, None)], vec![], None),
    ]
}

fn section4() -> Vec<Case> {
    let hello = b"Hello, world!";
    let mut v = Vec::new();
    for (sub, ops) in [(1, [3u8, 4, 5, 6, 7]), (2, [11, 12, 13, 14, 15])] {
        v.push(fail(&format!("4.{sub}.1"), vec![f(true, ops[0], b"")], vec![], None));
        v.push(fail(&format!("4.{sub}.2"), vec![f(true, ops[1], b"reserved opcode payload")], vec![], None));
        for (i, (op, payload, chop)) in
            [(ops[2], &b""[..], None), (ops[3], &hello[..], None), (ops[4], &hello[..], Some(1))]
                .into_iter()
                .enumerate()
        {
            let steps = vec![
                Step::Frame { fin: true, rsv: 0, op: 1, payload: hello.to_vec(), chop },
                Step::Frame { fin: true, rsv: 0, op, payload: payload.to_vec(), chop },
                Step::Frame { fin: true, rsv: 0, op: 9, payload: vec![], chop },
            ];
            v.push(fail(&format!("4.{sub}.{}", i + 3), steps, vec![text(hello)], Some(vec![])));
        }
    }
    v
}

fn frames(specs: &[(bool, u8, &[u8])], chop: Option<usize>) -> Vec<Step> {
    specs
        .iter()
        .map(|(fin, op, p)| Step::Frame { fin: *fin, rsv: 0, op: *op, payload: p.to_vec(), chop })
        .collect()
}

fn batch(specs: &[(bool, u8, &[u8])]) -> Vec<Step> {
    vec![Step::Batch(specs.iter().map(|(fin, op, p)| (*fin, 0, *op, p.to_vec())).collect())]
}

fn section5() -> Vec<Case> {
    let (f1, f2) = (&b"fragment1"[..], &b"fragment2"[..]);
    let ping = &b"ping payload"[..];
    let mut v = vec![
        fail("5.1", batch(&[(false, 9, f1), (true, 0, f2)]), vec![], None),
        fail("5.2", batch(&[(false, 10, f1), (true, 0, f2)]), vec![], None),
        echo("5.3", batch(&[(false, 1, f1), (true, 0, f2)]), vec![text(b"fragment1fragment2")]),
        echo("5.4", frames(&[(false, 1, f1), (true, 0, f2)], None), vec![text(b"fragment1fragment2")]),
        echo("5.5", frames(&[(false, 1, f1), (true, 0, f2)], Some(1)), vec![text(b"fragment1fragment2")]),
        echo(
            "5.6",
            batch(&[(false, 1, f1), (true, 9, ping), (true, 0, f2)]),
            vec![pong(ping), text(b"fragment1fragment2")],
        ),
        echo(
            "5.7",
            frames(&[(false, 1, f1), (true, 9, ping), (true, 0, f2)], None),
            vec![pong(ping), text(b"fragment1fragment2")],
        ),
        echo(
            "5.8",
            frames(&[(false, 1, f1), (true, 9, ping), (true, 0, f2)], Some(1)),
            vec![pong(ping), text(b"fragment1fragment2")],
        ),
    ];
    let nc = &b"non-continuation payload"[..];
    let hello = &b"Hello, world!"[..];
    for (n, fin) in [(9, true), (12, false)] {
        v.push(fail(&format!("5.{n}"), batch(&[(fin, 0, nc), (true, 1, hello)]), vec![], None));
        v.push(fail(&format!("5.{}", n + 1), frames(&[(fin, 0, nc), (true, 1, hello)], None), vec![], None));
        v.push(fail(
            &format!("5.{}", n + 2),
            frames(&[(fin, 0, nc), (true, 1, hello)], Some(1)),
            vec![],
            None,
        ));
    }
    let fr: Vec<Vec<u8>> = (1..=5).map(|i| format!("fragment{i}").into_bytes()).collect();
    v.push(fail(
        "5.15",
        batch(&[(false, 1, &fr[0]), (true, 0, &fr[1]), (false, 0, &fr[2]), (true, 1, &fr[3])]),
        vec![text(b"fragment1fragment2")],
        Some(vec![]),
    ));
    let twice = |a: (bool, u8), b: (bool, u8), c: (bool, u8)| {
        let once = [(a.0, a.1, &fr[0][..]), (b.0, b.1, &fr[1][..]), (c.0, c.1, &fr[2][..])];
        batch(&[once, once].concat())
    };
    v.push(fail("5.16", twice((false, 0), (false, 1), (true, 0)), vec![], None));
    v.push(fail("5.17", twice((true, 0), (false, 1), (true, 0)), vec![], None));
    v.push(fail("5.18", batch(&[(false, 1, &fr[0]), (true, 1, &fr[1])]), vec![], None));
    let pings = [&b"pongme 1!"[..], &b"pongme 2!"[..]];
    for id in ["5.19", "5.20"] {
        let mut steps = frames(&[(false, 1, &fr[0]), (false, 0, &fr[1]), (true, 9, pings[0])], None);
        steps.push(Step::Wait(Duration::from_secs(1), "part2"));
        steps.extend(frames(
            &[(false, 0, &fr[2]), (false, 0, &fr[3]), (true, 9, pings[1]), (true, 0, &fr[4])],
            None,
        ));
        let ok = vec![pong(pings[0]), Ev::Timeout("part2"), pong(pings[1]), text(&fr.concat())];
        v.push(echo(id, steps, ok));
    }
    v
}

const VSS: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";

/// The UTF-8 test sequences of case6_x_x (after Markus Kuhn's UTF-8-test.txt), 6.5–6.23.
fn utf8_sequences() -> Vec<Vec<(bool, Vec<u8>)>> {
    let t = |b: &[u8]| (true, b.to_vec());
    let x = |b: &[u8]| (false, b.to_vec());
    let prefixes =
        (1..=VSS.len()).map(|i| (std::str::from_utf8(&VSS[..i]).is_ok(), VSS[..i].to_vec())).collect();
    let lonely = [(0xc0u8, 0xdfu8), (0xe0, 0xef), (0xf0, 0xf7), (0xf8, 0xfb), (0xfc, 0xfd)]
        .iter()
        .map(|&(a, b)| (false, (a..b).flat_map(|c| [c, 0x20]).collect()))
        .collect();
    let missing: [&[u8]; 10] = [
        b"\xc0",
        b"\xe0\x80",
        b"\xf0\x80\x80",
        b"\xf8\x80\x80\x80",
        b"\xfc\x80\x80\x80\x80",
        b"\xdf",
        b"\xef\xbf",
        b"\xf7\xbf\xbf",
        b"\xfb\xbf\xbf\xbf",
        b"\xfd\xbf\xbf\xbf\xbf",
    ];
    let mut noncharacters = vec![t(b"\xef\xbf\xbe"), t(b"\xef\xbf\xbf")];
    for z1 in [0xf0u8, 0xf1, 0xf2, 0xf3, 0xf4] {
        for z2 in [0x8fu8, 0x9f, 0xaf, 0xbf] {
            if z1 == 0xf4 && z2 != 0x8f {
                continue;
            }
            for z3 in [0xbeu8, 0xbf] {
                let zz = vec![z1, z2, 0xbf, z3];
                if zz != b"\xf0\x8f\xbf\xbe" && zz != b"\xf0\x8f\xbf\xbf" {
                    noncharacters.push((true, zz));
                }
            }
        }
    }
    vec![
        vec![
            t(b"hello\x24world"),
            t(b"hello\xC2\xA2world"),
            t(b"hello\xE2\x82\xACworld"),
            t(b"hello\xF0\xA4\xAD\xA2world"),
            t(VSS),
        ],
        prefixes,
        vec![t(b"\x00"), t(b"\xc2\x80"), t(b"\xe0\xa0\x80"), t(b"\xf0\x90\x80\x80")],
        vec![x(b"\xf8\x88\x80\x80\x80"), x(b"\xfc\x84\x80\x80\x80\x80")],
        vec![t(b"\x7f"), t(b"\xdf\xbf"), t(b"\xef\xbf\xbf"), t(b"\xf4\x8f\xbf\xbf")],
        vec![x(b"\xf7\xbf\xbf\xbf"), x(b"\xfb\xbf\xbf\xbf\xbf"), x(b"\xfd\xbf\xbf\xbf\xbf\xbf")],
        vec![
            t(b"\xed\x9f\xbf"),
            t(b"\xee\x80\x80"),
            t(b"\xef\xbf\xbd"),
            t(b"\xf4\x8f\xbf\xbf"),
            x(b"\xf4\x90\x80\x80"),
        ],
        vec![
            x(b"\x80"),
            x(b"\xbf"),
            x(b"\x80\xbf"),
            x(b"\x80\xbf\x80"),
            x(b"\x80\xbf\x80\xbf"),
            x(b"\x80\xbf\x80\xbf\x80"),
            x(b"\x80\xbf\x80\xbf\x80\xbf"),
            (false, (0x80u8..0xbf).collect()),
        ],
        lonely,
        missing.iter().map(|m| x(m)).collect(),
        vec![(false, missing.concat())],
        vec![x(b"\xfe"), x(b"\xff"), x(b"\xfe\xfe\xff\xff")],
        vec![
            x(b"\xc0\xaf"),
            x(b"\xe0\x80\xaf"),
            x(b"\xf0\x80\x80\xaf"),
            x(b"\xf8\x80\x80\x80\xaf"),
            x(b"\xfc\x80\x80\x80\x80\xaf"),
        ],
        vec![
            x(b"\xc1\xbf"),
            x(b"\xe0\x9f\xbf"),
            x(b"\xf0\x8f\xbf\xbf"),
            x(b"\xf8\x87\xbf\xbf\xbf"),
            x(b"\xfc\x83\xbf\xbf\xbf\xbf"),
        ],
        vec![
            x(b"\xc0\x80"),
            x(b"\xe0\x80\x80"),
            x(b"\xf0\x80\x80\x80"),
            x(b"\xf8\x80\x80\x80\x80"),
            x(b"\xfc\x80\x80\x80\x80\x80"),
        ],
        vec![
            x(b"\xed\xa0\x80"),
            x(b"\xed\xad\xbf"),
            x(b"\xed\xae\x80"),
            x(b"\xed\xaf\xbf"),
            x(b"\xed\xb0\x80"),
            x(b"\xed\xbe\x80"),
            x(b"\xed\xbf\xbf"),
        ],
        vec![
            x(b"\xed\xa0\x80\xed\xb0\x80"),
            x(b"\xed\xa0\x80\xed\xbf\xbf"),
            x(b"\xed\xad\xbf\xed\xb0\x80"),
            x(b"\xed\xad\xbf\xed\xbf\xbf"),
            x(b"\xed\xae\x80\xed\xb0\x80"),
            x(b"\xed\xae\x80\xed\xbf\xbf"),
            x(b"\xed\xaf\xbf\xed\xb0\x80"),
            x(b"\xed\xaf\xbf\xed\xbf\xbf"),
        ],
        noncharacters,
        vec![
            t(b"\xef\xbf\xb9"),
            t(b"\xef\xbf\xba"),
            t(b"\xef\xbf\xbb"),
            t(b"\xef\xbf\xbc"),
            t(b"\xef\xbf\xbd"),
            t(b"\xef\xbf\xbe"),
            t(b"\xef\xbf\xbf"),
        ],
    ]
}

fn utf8_fail(id: &str, steps: Vec<Step>, ok: Vec<Ev>, non_strict: Option<Vec<Ev>>) -> Case {
    Case { codes: vec![1007], ..fail(id, steps, ok, non_strict) }
}

fn section6() -> Vec<Case> {
    let hello = "Hello-µ@ßöäüàá-UTF-8!!".as_bytes();
    let octets = |p: &[u8]| -> Vec<Step> {
        let n = p.len();
        p.iter().enumerate().map(|(i, b)| f(i + 1 == n, if i == 0 { 1 } else { 0 }, &[*b])).collect()
    };
    let bad = [VSS, b"\xed\xa0\x80edited"].concat();
    let mut v = vec![
        echo("6.1.1", vec![f(true, 1, b"")], vec![text(b"")]),
        echo("6.1.2", batch(&[(false, 1, b""), (false, 0, b""), (true, 0, b"")]), vec![text(b"")]),
        echo(
            "6.1.3",
            batch(&[(false, 1, b""), (false, 0, b"middle frame payload"), (true, 0, b"")]),
            vec![text(b"middle frame payload")],
        ),
        echo("6.2.1", vec![f(true, 1, hello)], vec![text(hello)]),
        echo("6.2.2", batch(&[(false, 1, &hello[..12]), (true, 0, &hello[12..])]), vec![text(hello)]),
        echo("6.2.3", octets(hello), vec![text(hello)]),
        echo("6.2.4", octets(VSS), vec![text(VSS)]),
        utf8_fail("6.3.1", vec![f(true, 1, &bad)], vec![], None),
        utf8_fail("6.3.2", octets(&bad), vec![], None),
    ];
    let (a, b) = ([VSS, b"\xf4"].concat(), b"\x90".to_vec());
    let fast = [
        (VSS.to_vec(), b"\xf4\x90\x80\x80".to_vec(), b"edited".to_vec()),
        (a, b, b"\x80\x80edited".to_vec()),
    ];
    for (i, (p1, p2, p3)) in fast.iter().enumerate() {
        let steps = vec![
            f(false, 1, p1),
            Step::Wait(Duration::from_secs(1), "A"),
            f(false, 0, p2),
            Step::Wait(Duration::from_secs(1), "B"),
            f(true, 0, p3),
        ];
        v.push(utf8_fail(
            &format!("6.4.{}", i + 1),
            steps,
            vec![Ev::Timeout("A")],
            Some(vec![Ev::Timeout("A"), Ev::Timeout("B")]),
        ));
    }
    for (i, (p1, p2, p3)) in fast.iter().enumerate() {
        let payload = [p1.as_slice(), p2, p3].concat();
        let steps = vec![Step::Split { payload, cuts: [p1.len(), p1.len() + p2.len()] }];
        v.push(utf8_fail(
            &format!("6.4.{}", i + 3),
            steps,
            vec![Ev::Timeout("A")],
            Some(vec![Ev::Timeout("A"), Ev::Timeout("B")]),
        ));
    }
    for (i, group) in utf8_sequences().into_iter().enumerate() {
        for (j, (valid, p)) in group.into_iter().enumerate() {
            let id = format!("6.{}.{}", i + 5, j + 1);
            v.push(if valid {
                echo(&id, vec![f(true, 1, &p)], vec![text(&p)])
            } else {
                utf8_fail(&id, vec![f(true, 1, &p)], vec![], None)
            });
        }
    }
    v
}

fn code(c: u16, reason: &[u8]) -> Vec<u8> {
    [&c.to_be_bytes()[..], reason].concat()
}

fn section7() -> Vec<Case> {
    let hello = &b"Hello World!"[..];
    let after_close = |id: &str, then: Step| {
        let steps = vec![Step::CloseRaw(code(1000, b"")), then];
        Case { ok: vec![], ..Case::new(id, steps) }
    };
    let mut v = vec![
        echo("7.1.1", vec![f(true, 1, hello)], vec![text(hello)]),
        after_close("7.1.2", f(true, 8, b"")),
        after_close("7.1.3", f(true, 9, b"")),
        after_close("7.1.4", f(true, 1, hello)),
        Case::new(
            "7.1.5",
            vec![f(false, 1, b"fragment1"), Step::CloseRaw(code(1000, b"")), f(true, 0, b"fragment2")],
        ),
        Case {
            ok: vec![text(hello)],
            non_strict: Some(vec![]),
            informational: true,
            ..Case::new(
                "7.1.6",
                vec![Step::Batch(vec![
                    (true, 0, 1, b"BAsd7&jh23".repeat(256 * 1024 / 10 + 1)[..256 * 1024].to_vec()),
                    (true, 0, 1, hello.to_vec()),
                    (true, 0, 8, code(1000, b"")),
                    (true, 0, 9, vec![]),
                ])],
            )
        },
        close("7.3.1", vec![], vec![], vec![1000], true),
        close("7.3.2", vec![], b"a".to_vec(), vec![1002], false),
        close("7.3.3", vec![], code(1000, b""), vec![1000], true),
        close("7.3.4", vec![], code(1000, hello), vec![1000], true),
        close("7.3.5", vec![], code(1000, &[b'*'; 123]), vec![1000], true),
    ];
    // 7.3.6: a close payload of 126 bytes is not a valid control frame.
    v.push(close("7.3.6", vec![], code(1000, &[b'*'; 124]), vec![1002], false));
    let bad = [VSS, b"\xed\xa0\x80edited"].concat();
    v.push(close("7.5.1", vec![], code(1000, &bad), vec![1002, 1007], false));
    for (i, c) in [1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
        .into_iter()
        .enumerate()
    {
        v.push(close(&format!("7.7.{}", i + 1), vec![], code(c, b""), vec![1000, c], true));
    }
    for (i, c) in [0u16, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].into_iter().enumerate() {
        v.push(close(&format!("7.9.{}", i + 1), vec![], code(c, b""), vec![1002], false));
    }
    for (i, c) in [5000u16, 65535].into_iter().enumerate() {
        v.push(close(&format!("7.13.{}", i + 1), vec![], code(c, b""), vec![1000, c, 1002], false));
    }
    v
}

fn echo_run(id: &str, messages: Vec<(bool, Vec<u8>)>, frag: usize, chop: usize, secs: u64) -> Case {
    Case {
        echo: Some(EchoRun { messages, frag, chop }),
        kill_after: Duration::from_secs(secs),
        ..Case::new(id, vec![])
    }
}

fn section9() -> Vec<Case> {
    let (sd, cd) = if full() { (1, 1) } else { (16, 10) };
    let mut v = Vec::new();
    for (sec, bin, fill) in [(1, false, b'*'), (2, true, 0xFE)] {
        for (i, mb) in [64usize << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20].into_iter().enumerate()
        {
            v.push(echo_run(&format!("9.{sec}.{}", i + 1), vec![(bin, vec![fill; mb / sd])], 0, 0, 100));
        }
    }
    for (sec, bin, fill) in [(3, false, b'*'), (4, true, 0xFE)] {
        for (i, frag) in [64usize, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20]
            .into_iter()
            .enumerate()
        {
            let frag = (frag / sd).max(16);
            v.push(echo_run(
                &format!("9.{sec}.{}", i + 1),
                vec![(bin, vec![fill; (4 << 20) / sd])],
                frag,
                0,
                100,
            ));
        }
    }
    for (sec, bin, fill) in [(5, false, b'*'), (6, true, 0xFE)] {
        for (i, chop) in [64usize, 128, 256, 512, 1024, 2048].into_iter().enumerate() {
            v.push(echo_run(
                &format!("9.{sec}.{}", i + 1),
                vec![(bin, vec![fill; (1 << 20) / sd])],
                0,
                chop,
                100,
            ));
        }
    }
    for (sec, bin, fill) in [(7, false, b'*'), (8, true, 0xFE)] {
        for (i, len) in [0usize, 16, 64, 256, 1024, 4096].into_iter().enumerate() {
            let msgs = vec![(bin, vec![fill; len]); 1000 / cd];
            v.push(echo_run(&format!("9.{sec}.{}", i + 1), msgs, 0, 0, 120));
        }
    }
    v
}

fn section10() -> Vec<Case> {
    vec![echo_run("10.1.1", vec![(false, vec![b'*'; 65536])], 1300, 0, 10)]
}

/// Stand-ins for Autobahn's test files (which are not ours to ship): deterministic data of
/// the same kinds — JSON, a greyscale bitmap, German prose, HTML, a PDF-like mix; made once.
fn test_data(kind: usize) -> &'static (bool, Vec<u8>) {
    static DATA: OnceLock<Vec<(bool, Vec<u8>)>> = OnceLock::new();
    &DATA.get_or_init(|| (0..5).map(make_test_data).collect())[kind]
}

fn make_test_data(kind: usize) -> (bool, Vec<u8>) {
    let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ kind as u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let words =
        ["der", "Faust", "und", "Mephisto", "Gretchen", "Studierzimmer", "Nacht", "über", "Geist", "schön"];
    let mut s = Vec::new();
    match kind {
        0 => {
            s.push(b'[');
            for i in 0..4000 {
                s.extend(
                    format!(
                        "{{\"id\":{i},\"name\":\"item-{}\",\"tags\":[\"a\",\"b\"],\"score\":{}.{}}},",
                        rnd() % 997,
                        rnd() % 100,
                        rnd() % 10
                    )
                    .bytes(),
                );
            }
            s.push(b']');
        }
        1 => s.extend((0..512 * 512).map(|i| ((i % 512) as u8 / 2).wrapping_add((rnd() % 8) as u8))),
        2 => {
            while s.len() < 200_000 {
                s.extend(words[(rnd() % 10) as usize].as_bytes());
                s.push(if rnd() % 12 == 0 { b'\n' } else { b' ' });
            }
        }
        3 => {
            while s.len() < 200_000 {
                s.extend(
                    format!("<div class=\"c{}\"><p>{}</p></div>\n", rnd() % 20, words[(rnd() % 10) as usize])
                        .bytes(),
                );
            }
        }
        _ => {
            while s.len() < 300_000 {
                if rnd() % 3 == 0 {
                    s.extend((0..64).map(|_| rnd() as u8));
                } else {
                    s.extend(
                        format!("{} 0 obj << /Length {} >> stream\n", rnd() % 1000, rnd() % 5000).bytes(),
                    );
                }
            }
        }
    }
    (matches!(kind, 1 | 2 | 4), s)
}

/// (size, count, seconds, auto-fragment) of case12_x_x's MSG_SIZES.
const MSG_SIZES: [(usize, usize, u64, usize); 18] = [
    (16, 1000, 60, 0),
    (64, 1000, 60, 0),
    (256, 1000, 120, 0),
    (1024, 1000, 240, 0),
    (4096, 1000, 480, 0),
    (8192, 1000, 480, 0),
    (16384, 1000, 480, 0),
    (32768, 1000, 480, 0),
    (65536, 1000, 480, 0),
    (131072, 1000, 480, 0),
    (8192, 1000, 480, 256),
    (16384, 1000, 480, 256),
    (32768, 1000, 480, 256),
    (65536, 1000, 480, 256),
    (131072, 1000, 480, 256),
    (131072, 1000, 480, 1024),
    (131072, 1000, 480, 4096),
    (131072, 1000, 480, 32768),
];

fn compressed_run(id: String, kind: usize, size: (usize, usize, u64, usize), deflate: DeflateCase) -> Case {
    let &(is_binary, ref data) = test_data(kind);
    let count = if full() { size.1 } else { 5 };
    let mut ptr = 0;
    let mut messages = Vec::new();
    for _ in 0..count {
        let mut m = Vec::with_capacity(size.0);
        while m.len() < size.0 {
            let take = (size.0 - m.len()).min(data.len() - ptr);
            m.extend_from_slice(&data[ptr..ptr + take]);
            ptr = (ptr + take) % data.len();
        }
        if !is_binary {
            // Keep text messages valid UTF-8 (the data is ASCII but for umlauts).
            m = String::from_utf8_lossy(&m).replace('\u{FFFD}', "?").into_bytes();
        }
        messages.push((is_binary, m));
    }
    Case { deflate: Some(deflate), ..echo_run(&id, messages, size.3, 0, size.2.min(60)) }
}

fn section12() -> Vec<Case> {
    let mut v = Vec::new();
    for (j, kind) in [0usize, 1, 2, 3, 4].into_iter().enumerate() {
        for (i, size) in MSG_SIZES.into_iter().enumerate() {
            let d = DeflateCase { offers: vec![(false, 0)], accept: (false, 0) };
            v.push(compressed_run(format!("12.{}.{}", j + 1, i + 1), kind, size, d));
        }
    }
    v
}

/// (no context takeover, max window bits): the offers a client makes and the reply a server gives.
type DeflateParams = (bool, u8);

fn section13() -> Vec<Case> {
    let params: [(Vec<DeflateParams>, DeflateParams); 7] = [
        (vec![(false, 0)], (false, 0)),
        (vec![(true, 0)], (true, 0)),
        (vec![(false, 9)], (false, 9)),
        (vec![(false, 15)], (false, 15)),
        (vec![(true, 9)], (true, 9)),
        (vec![(true, 15)], (true, 15)),
        (vec![(true, 9), (true, 0), (false, 0)], (true, 9)),
    ];
    let mut v = Vec::new();
    for (j, (offers, accept)) in params.into_iter().enumerate() {
        for (i, size) in MSG_SIZES.into_iter().enumerate() {
            let d = DeflateCase { offers: offers.clone(), accept };
            v.push(compressed_run(format!("13.{}.{}", j + 1, i + 1), 0, size, d));
        }
    }
    v
}

/// Every case, in the testsuite's order.
pub fn all() -> Vec<Case> {
    [
        section1(),
        section2(),
        section3(),
        section4(),
        section5(),
        section6(),
        section7(),
        section9(),
        section10(),
        section12(),
        section13(),
    ]
    .concat()
}
