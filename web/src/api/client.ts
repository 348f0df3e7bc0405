// The one place that talks HTTP: adds the bearer token, turns problem+json answers into ApiError,
// and sends the user back to the login page when the session is gone (401).
import type { FieldError, Problem } from './types';

const TOKEN_KEY = 'jiayuan.token';

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable (private mode): the session lasts as long as the page
  }
}

/** An answer other than 2xx, carrying the server's Chinese title/detail and per-field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[];

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
  }
}

/** Text to show a person for any thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.detail ?? err.title;
  if (err instanceof Error) return err.message;
  return String(err);
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {
  if (window.location.pathname !== '/login') window.location.assign('/login');
};

/** The auth provider registers how to leave the session (clear state, route to /login). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** Do not treat 401 as an expired session (the login request itself). */
  allowUnauthorized?: boolean;
  signal?: AbortSignal;
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The problem+json in an answer's text, or a generic one for its status. */
function problemOf(status: number, text: string): Problem {
  if (text) {
    try {
      const parsed = JSON.parse(text) as Partial<Problem>;
      if (parsed && typeof parsed === 'object' && typeof parsed.title === 'string') {
        return {
          type: parsed.type ?? 'about:blank',
          title: parsed.title,
          status: typeof parsed.status === 'number' ? parsed.status : status,
          ...(typeof parsed.detail === 'string' ? { detail: parsed.detail } : {}),
          ...(Array.isArray(parsed.errors) ? { errors: parsed.errors } : {}),
        };
      }
    } catch {
      // not JSON: fall through
    }
  }
  const title = status >= 500 ? '服务器错误' : status === 404 ? '资源不存在' : status === 413 ? '文件过大' : '请求失败';
  return { type: 'about:blank', title, status, detail: `${title}（HTTP ${status}）` };
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  return problemOf(res.status, text);
}

const NETWORK_ERROR: Problem = { type: 'about:blank', title: '网络错误', status: 0, detail: '无法连接服务器，请检查网络后重试' };

/** Turns a failed answer into an ApiError, leaving the session on 401. */
function failure(problem: Problem, allowUnauthorized = false): ApiError {
  if (problem.status === 401 && !allowUnauthorized) {
    setToken(null);
    onUnauthorized();
  }
  return new ApiError(problem);
}

function authHeaders(accept: string): Record<string, string> {
  const headers: Record<string, string> = { accept };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers = authHeaders('application/json, application/problem+json');
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  let res: Response;
  try {
    res = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(NETWORK_ERROR);
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  throw failure(await readProblem(res), options.allowUnauthorized);
}

/** The file name an answer's Content-Disposition gives (RFC 5987 `filename*` first), if any. */
function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // malformed: try the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() ?? null;
}

export interface Download {
  blob: Blob;
  /** From Content-Disposition, when the server named the file. */
  filename: string | null;
}

/** GETs a file (xlsx, printable HTML) with the bearer token; failures become ApiError like any call. */
export async function fetchBlob(path: string, query?: Query, signal?: AbortSignal): Promise<Download> {
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      headers: authHeaders('*/*'),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(NETWORK_ERROR);
  }
  if (!res.ok) throw failure(await readProblem(res));
  return { blob: await res.blob(), filename: dispositionName(res.headers.get('content-disposition')) };
}

/** Hands a blob to the browser as a download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start reading the blob before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface UploadOptions {
  query?: Query;
  contentType: string;
  /** Called with the share of the body sent so far (0–1). */
  onProgress?: (sent: number) => void;
  signal?: AbortSignal;
}

/**
 * POSTs raw bytes as the request body (not multipart) and reads a JSON answer. Uses XMLHttpRequest,
 * since fetch cannot report how much of a large body has been sent.
 */
export function uploadBinary<T>(path: string, data: ArrayBuffer | Blob, options: UploadOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery(path, options.query));
    for (const [k, v] of Object.entries(authHeaders('application/json, application/problem+json'))) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('content-type', options.contentType);
    const onProgress = options.onProgress;
    if (onProgress) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.upload.onload = () => onProgress(1);
    }
    xhr.onload = () => {
      const text = xhr.responseText;
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((text ? JSON.parse(text) : undefined) as T);
        } catch {
          reject(new ApiError({ type: 'about:blank', title: '服务器错误', status: xhr.status, detail: '服务器返回了无法识别的内容' }));
        }
        return;
      }
      reject(failure(problemOf(xhr.status, text)));
    };
    xhr.onerror = () => reject(new ApiError(NETWORK_ERROR));
    xhr.onabort = () => reject(new DOMException('上传已取消', 'AbortError'));
    if (options.signal) {
      if (options.signal.aborted) {
        reject(new DOMException('上传已取消', 'AbortError'));
        return;
      }
      options.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(data);
  });
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>(path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
  delete: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
};
