/** Admin → Chat notifications: the team's incoming-webhook URL and what is posted to it. */
export function ChatWebhook() {
  return <h1>Chat notifications</h1>;
}
