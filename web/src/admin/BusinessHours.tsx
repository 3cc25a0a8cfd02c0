/** Admin → Business hours: the time zone, opening hours per weekday, holidays, and the SLA targets counted in them. */
export function BusinessHours() {
  return <h1>Business hours</h1>;
}
