/** Admin → Routing: automatic assignment's mode, the default capacity, and what happens to an away agent's conversations. */
export function Routing() {
  return <h1>Routing</h1>;
}
