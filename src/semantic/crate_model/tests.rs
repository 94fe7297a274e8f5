use super::*;
use crate::text::signatures::items_of;

fn model(files: &[(&str, &[&str], &str)]) -> CrateModel {
    let items: Vec<ItemTexts> = files.iter().map(|(_, _, text)| items_of(text)).collect();
    let modules: Vec<Vec<String>> = files
        .iter()
        .map(|(_, module, _)| module.iter().map(|m| m.to_string()).collect())
        .collect();
    let files: Vec<CrateFile<'_>> = files
        .iter()
        .zip(&items)
        .zip(&modules)
        .map(|(((display, _, _), items), module)| CrateFile {
            display,
            module,
            items,
        })
        .collect();
    CrateModel::build(&files)
}

#[test]
fn aliases_fields_returns_and_spawners_across_files() {
    let model = model(&[
        (
            "src/lib.rs",
            &[],
            "use std::sync::Arc;\npub type Task<T> = crate::types::Handle2<T>;\n\
             pub struct Client { shared: Arc<Inner>, task: Task<()> }\n\
             pub struct Wrap(tokio::runtime::Handle);\n\
             impl Client { fn rt(&self) -> &tokio::runtime::Handle { todo!() } }\n",
        ),
        (
            "src/types.rs",
            &["types"],
            "use tokio::task::JoinHandle;\npub type Handle2<T> = JoinHandle<T>;\n\
             pub struct Inner { rt: tokio::sync::Mutex<tokio::runtime::Runtime> }\n",
        ),
        (
            "src/rt.rs",
            &["rt"],
            "use std::future::Future;\n\
             pub fn spawn<F: Future>(f: F) -> crate::Task<F::Output> { todo!() }\n\
             pub fn make_command() -> std::io::Result<std::process::Command> { todo!() }\n\
             pub trait Runtime { type Exec: Executor; fn spawn<F>(&self, f: F) -> Task<()> where F: Future; }\n",
        ),
    ]);
    assert_eq!(
        model.field("Client", "task"),
        Some(&Ty::Kind(Kind::JoinHandle))
    );
    assert_eq!(
        model.field("Client", "shared"),
        Some(&Ty::Crate("Inner".into()))
    );
    assert_eq!(model.field("Inner", "rt"), Some(&Ty::Kind(Kind::Runtime)));
    assert_eq!(
        model.field("Wrap", "0"),
        Some(&Ty::Kind(Kind::RuntimeHandle))
    );
    let spawn = model
        .function("crate::rt::spawn")
        .expect("inferred spawner");
    assert_eq!(spawn.spawner, Some(Spawner::Detaching));
    assert_eq!(
        model
            .function("crate::rt::make_command")
            .and_then(|f| f.returns.clone()),
        Some(Ty::Kind(Kind::StdCommand))
    );
    assert_eq!(
        model.method("Client", "rt").and_then(|f| f.returns.clone()),
        Some(Ty::Kind(Kind::RuntimeHandle))
    );
    assert_eq!(
        model.method("Runtime", "spawn").and_then(|f| f.spawner),
        Some(Spawner::Detaching)
    );
    assert_eq!(model.assoc_bounds("Runtime", "Exec"), ["Executor"]);
}

#[test]
fn ambiguous_and_dropping_wrappers_are_not_followed() {
    let model = model(&[(
        "src/lib.rs",
        &[],
        "use tokio::task::JoinHandle;\n\
         pub struct Guard(JoinHandle<()>);\n\
         impl Drop for Guard { fn drop(&mut self) { self.0.abort() } }\n\
         pub struct Plain(JoinHandle<()>);\n\
         pub fn spawn_guarded<F: Future>(f: F) -> Guard { todo!() }\n\
         pub fn spawn_plain(f: impl Future) -> Plain { todo!() }\n\
         pub fn takes_nothing() -> JoinHandle<()> { todo!() }\n\
         mod a { pub fn rt() -> tokio::runtime::Handle { todo!() } }\n\
         mod a { pub fn rt() -> u8 { todo!() } }\n\
         #[cfg(test)] mod helpers;\n#[cfg(unix)] mod unix;\n",
    )]);
    assert_eq!(
        model
            .function("crate::spawn_guarded")
            .and_then(|f| f.spawner),
        None
    );
    assert_eq!(
        model.function("crate::spawn_plain").and_then(|f| f.spawner),
        Some(Spawner::Detaching)
    );
    assert_eq!(
        model
            .function("crate::takes_nothing")
            .and_then(|f| f.spawner),
        None
    );
    assert!(model.function("crate::a::rt").is_some());
    let module = |path: &[&str]| path.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    assert!(model.is_test_module(&module(&["helpers"])));
    assert!(model.is_test_module(&module(&["helpers", "fake"])));
    assert!(!model.is_test_module(&module(&["unix"])));
}

#[test]
fn a_lazy_model_knows_test_modules_at_once_and_builds_on_first_use() {
    let lazy = LazyModel::new(vec![
        ModelFile {
            display: "src/lib.rs".to_string(),
            module: Vec::new(),
            items: items_of("#[cfg(test)] mod helpers;\nmod net;\n"),
        },
        ModelFile {
            display: "src/net.rs".to_string(),
            module: vec!["net".to_string()],
            items: items_of("pub fn rt() -> tokio::runtime::Handle { todo!() }\n"),
        },
    ]);
    assert!(format!("{lazy:?}").contains("built: false"));
    assert!(lazy.is_test_module(&["helpers".to_string(), "fake".to_string()]));
    assert!(!lazy.is_test_module(&["net".to_string()]));
    assert!(lazy.get().function("crate::net::rt").is_some());
    assert!(format!("{lazy:?}").contains("built: true"));
    assert!(lazy.get().is_test_module(&["helpers".to_string()]));
}
