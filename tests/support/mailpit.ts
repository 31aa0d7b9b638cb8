/** Reads mail from the test stack's Mailpit through its HTTP API (`/api/v1/…`). */

export interface MailpitMessage {
  ID: string;
  From: { Address: string };
  To: { Address: string }[];
  Subject: string;
  Text: string;
  HTML: string;
}

export function mailpitUrl(): string {
  const url = process.env.MAILPIT_URL;
  if (!url) throw new Error('MAILPIT_URL is not set: run the tests through `npm test`, whose stack starts Mailpit');
  return url;
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${mailpitUrl()}${path}`);
  if (!res.ok) throw new Error(`Mailpit ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Every message to `to` whose text mentions `needle` (an export id), newest first. */
export async function findMessages(to: string, needle: string): Promise<MailpitMessage[]> {
  const list = await getJson<{ messages: { ID: string; To: { Address: string }[] }[] }>('/api/v1/messages?limit=200');
  const mine = list.messages.filter((m) => m.To.some((t) => t.Address === to));
  const full = await Promise.all(mine.map((m) => getJson<MailpitMessage>(`/api/v1/message/${m.ID}`)));
  return full.filter((m) => m.Text.includes(needle));
}

/** Polls until a message to `to` mentioning `needle` arrives. */
export async function waitForMessage(to: string, needle: string, timeoutMs = 20_000): Promise<MailpitMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [found] = await findMessages(to, needle);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} mentioning ${needle} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
