/**
 * A client of the agent API as a browser uses it: signs in, keeps the session cookie, and sends
 * the CSRF token with every change. Or, with a personal API token, as a script does.
 */
export interface AgentResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class AgentClient {
  private cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  static async signIn(baseUrl: string, email: string, password: string): Promise<AgentClient> {
    const client = new AgentClient(baseUrl);
    const response = await client.request('POST', '/session', { email, password });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
    return client;
  }

  /** What authenticates a request: the session cookie or the token (for requests made without this client). */
  authHeaders(): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(this.cookie ? { cookie: this.cookie } : {}) };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body);
  patch = <T = any>(path: string, body?: unknown) => this.request<T>('PATCH', path, body);
  put = <T = any>(path: string, body?: unknown) => this.request<T>('PUT', path, body);
  delete = <T = any>(path: string) => this.request<T>('DELETE', path);

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<AgentResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...this.authHeaders() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.csrfToken && options.csrf !== false && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!.endsWith('=') ? undefined : setCookie.split(';')[0];
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as T);
    if (parsed && typeof parsed === 'object' && 'csrf_token' in parsed && typeof parsed.csrf_token === 'string') this.csrfToken = parsed.csrf_token;
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}
