//! Placeholder Paxoscope playground: proves the trunk -> wasm -> browser pipeline end to end.
//! The UI engineer replaces this with the real app; keep `#cluster` and `[data-node]` (the e2e
//! smoke test looks for them) or update tests/e2e/smoke.test.mjs together with it.

use yew::prelude::*;

/// Monitors in the simulated cluster (Ceph's usual quorum of five).
const NODES: usize = 5;

#[component]
fn App() -> Html {
    html! {
        <main class="app">
            <header>
                <h1>{ "Paxoscope" }</h1>
                <p class="tagline">{ "Ceph monitor Paxos, visible." }</p>
            </header>
            <div id="cluster" class="cluster">
                { for (0..NODES).map(|i| html! {
                    <div class="node" data-node={i.to_string()}>
                        <span class="node-name">{ format!("mon.{}", (b'a' + i as u8) as char) }</span>
                        <span class="node-rank">{ format!("rank {i}") }</span>
                    </div>
                }) }
            </div>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
