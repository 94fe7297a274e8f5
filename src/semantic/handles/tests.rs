use syn::{Expr, Stmt};

use super::*;
use crate::base::finding::Region;
use crate::base::rule::RuleSet;
use crate::knowledge::declared::Declared;
use crate::semantic::context::Cx;
use crate::semantic::context::Options;
use crate::syntax::macros::Expansions;

/// Builds the model of the file's last function through the walk, as a rule would.
fn model(src: &str, check: impl Fn(&Handles<'_>)) {
    struct Probe<'a, 'f> {
        check: &'f dyn Fn(&Handles<'_>),
        seen: std::marker::PhantomData<&'a ()>,
    }
    impl<'a> crate::semantic::walk::Check<'a> for Probe<'a, '_> {
        fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
            if is_fn_body(stmts, cx) {
                let f = cx.enclosing_fn().expect("in a fn");
                (self.check)(&Handles::of_fn(Some(f.sig), f.body, cx));
            }
        }
    }
    let file: syn::File = syn::parse_str(src).expect("parses");
    let expansions = Expansions::of_file(&file);
    let (enabled, declared) = (RuleSet::default(), Declared::default());
    let options = Options {
        enabled: &enabled,
        lint_tests: false,
        declared: &declared,
    };
    let model = crate::semantic::crate_model::LazyModel::ready(Default::default());
    let krate = crate::semantic::context::CrateView {
        lazy: &model,
        module: &[],
    };
    let cx = Cx::new("t.rs", src, &file, &expansions, options, false, krate);
    let probe = Probe {
        check: &check,
        seen: std::marker::PhantomData,
    };
    crate::semantic::walk::Walker::new(cx, vec![Box::new(probe)]).run(&file);
}

fn summary(h: &Handles<'_>) -> Vec<(String, Vec<Use>)> {
    h.handles()
        .map(|b| (b.name.clone(), b.events.iter().map(|e| e.what).collect()))
        .collect()
}

#[test]
fn spawned_local_awaited_and_aborted() {
    model(
        "use tokio::spawn; async fn f() { let h = spawn(async {}); h.abort(); let _ = h.await; }",
        |h| {
            assert_eq!(
                summary(h),
                vec![("h".to_string(), vec![Use::Aborted, Use::Awaited])]
            );
            let b = h.handles().next().expect("h");
            assert_eq!(b.origin, Origin::Spawned("spawn".to_string()));
        },
    );
}

#[test]
fn filled_vec_elements_are_handles() {
    model(
        "async fn f() { let mut v = Vec::new(); for i in 0..3 { v.push(tokio::spawn(async {})); } for h in v { h.await.unwrap(); } }",
        |h| {
            let names: Vec<_> = h.handles().map(|b| (b.name.clone(), b.origin.clone())).collect();
            assert_eq!(names, vec![("h".to_string(), Origin::Element("v".to_string()))]);
        },
    );
}

#[test]
fn collected_handles_and_params() {
    model(
        "use tokio::task::JoinHandle; async fn f(t: JoinHandle<()>) { let hs: Vec<_> = (0..3).map(|_| tokio::spawn(async {})).collect(); for h in hs { drop(h); } t.abort(); }",
        |h| {
            assert_eq!(
                summary(h),
                vec![
                    ("t".to_string(), vec![Use::Aborted]),
                    ("h".to_string(), vec![Use::Dropped]),
                ]
            );
        },
    );
}

#[test]
fn fields_sets_and_macros() {
    model(
        r#"use tokio::task::{JoinHandle, JoinSet};
        struct S { task: Option<JoinHandle<()>>, set: JoinSet<()> }
        impl S {
            async fn stop(&mut self) {
                self.set.abort_all();
                if let Some(t) = self.task.take() {
                    t.abort();
                    tokio::select! { _ = t => {} }
                }
                while self.set.join_next().await.is_some() {}
            }
        }"#,
        |h| {
            let all: Vec<_> = h
                .bindings
                .iter()
                .map(|b| {
                    (
                        b.name.clone(),
                        b.events.iter().map(|e| e.what).collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert!(
                all.contains(&("self.set".to_string(), vec![Use::AbortAll, Use::JoinNext])),
                "{all:?}"
            );
            assert!(
                all.contains(&("self.task".to_string(), vec![Use::Taken])),
                "{all:?}"
            );
            assert!(
                all.contains(&("t".to_string(), vec![Use::Aborted, Use::Awaited])),
                "{all:?}"
            );
            let t = h.handles().find(|b| b.name == "t").expect("t");
            assert_eq!(t.origin, Origin::Element("self.task".to_string()));
        },
    );
}

#[test]
fn runtime_method_spawns_and_timeouts() {
    model(
        "async fn f() { let rt = tokio::runtime::Runtime::new().unwrap(); let h = rt.spawn(async {}); h.abort(); tokio::time::timeout(d, h).await; }",
        |h| assert_eq!(summary(h), vec![("h".to_string(), vec![Use::Aborted, Use::Awaited])]),
    );
}

#[test]
fn moves_stores_and_returns() {
    model(
        r#"use tokio::task::JoinHandle;
        struct S { t: Option<JoinHandle<()>> }
        fn f(s: &mut S, tx: Sender) -> JoinHandle<()> {
            let a = tokio::spawn(async {});
            let b = tokio::spawn(async {});
            let c = tokio::spawn(async {});
            let d = tokio::spawn(async {});
            let e = tokio::spawn(async {});
            s.t = Some(a);
            drop(b);
            tx.send(c);
            println!("{:?}", d.is_finished());
            e
        }"#,
        |h| {
            assert_eq!(
                summary(h),
                vec![
                    ("a".to_string(), vec![Use::Stored]),
                    ("b".to_string(), vec![Use::Dropped]),
                    ("c".to_string(), vec![Use::Stored]),
                    ("d".to_string(), vec![Use::Queried]),
                    ("e".to_string(), vec![Use::Returned]),
                ]
            );
        },
    );
}

#[test]
fn bodies_trackers_and_guarded_handles() {
    model(
        r#"use tokio::task::JoinHandle; use tokio_util::task::TaskTracker;
        struct S { task: std::sync::Mutex<Option<JoinHandle<()>>> }
        impl S {
            fn stop(&self) {
                let tracker = TaskTracker::new();
                let closer = tracker.clone();
                on_exit(move || self.task.lock().unwrap().take().unwrap().abort());
                tokio::spawn(async move { closer.close(); });
            }
        }"#,
        |h| {
            let classes: Vec<_> = h
                .bindings
                .iter()
                .map(|b| (b.name.as_str(), b.class))
                .collect();
            assert_eq!(
                &classes[..2],
                &[("tracker", Class::Tracker), ("closer", Class::Tracker)]
            );
            assert!(
                matches!(classes[2], ("self.task", Class::Guarded(_))),
                "{classes:?}"
            );
            let at = |e: &Expr| h.body_at(Region::from_span(crate::syntax::spans::expr(e)));
            let abort = h.aborts[0];
            assert_eq!(at(abort), 1);
            assert!(!h.bodies[1].is_async && h.bodies[2].is_async && !h.bodies[0].is_async);
            let closer = &h.bindings[1];
            assert_eq!(closer.events.len(), 1);
            assert_eq!(at(closer.events[0].expr.expect("close()")), 2);
        },
    );
}

#[test]
fn shadowing_hides_a_handle() {
    model(
        "async fn f() { let h = tokio::spawn(async {}); let h = 3; h.abort(); }",
        |h| assert_eq!(summary(h), vec![("h".to_string(), vec![])]),
    );
}

#[test]
fn a_shadowing_initialiser_still_sees_the_handle() {
    let src = "async fn f() { let h = tokio::spawn(async {}); h.abort(); let h = async move { h.await }; h.await; }";
    let last = src.rfind("h.await").expect("the last await") + 1;
    model(src, |h| {
        assert_eq!(
            summary(h),
            vec![("h".to_string(), vec![Use::Aborted, Use::Awaited])]
        );
        let first = h.handles().next().expect("h");
        let after = Region {
            column: last,
            ..first.region
        };
        assert!(h.binding_at("h", after).is_none());
        let second = h.bound_at("h", after).expect("the second h");
        assert!(second > (first.region.line, first.region.column));
    });
}

#[test]
fn a_shadowing_ends_with_its_block() {
    model(
        r#"async fn f(o: Option<u8>) {
            let h = tokio::spawn(async {});
            { let h = 3; h.abort(); }
            if let Some(h) = o { h.abort(); }
            match o { Some(h) => h.abort(), None => {} }
            let g = |h: u8| h.abort();
            h.abort();
        }"#,
        |h| assert_eq!(summary(h), vec![("h".to_string(), vec![Use::Aborted])]),
    );
}

#[test]
fn handles_mapped_into_futures_are_not_handles() {
    model(
        r#"async fn f() {
            let hs: Vec<_> = (0..3).map(|_| tokio::spawn(async {})).collect();
            let hs: Vec<_> = hs.into_iter().map(|h| async move { h.await }).collect();
            let kept: Vec<_> = hs.into_iter().filter(|h| true).collect();
        }"#,
        |h| {
            let holders: Vec<_> = h
                .bindings
                .iter()
                .map(|b| {
                    (
                        b.name.as_str(),
                        b.events.iter().map(|e| e.what).collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(
                holders,
                vec![("hs", vec![Use::Taken]), ("h", vec![Use::Awaited])],
            );
        },
    );
}
