import type { RoomFileList } from '@boxroom/contracts';
import { ApiError } from './api-client.js';

const enc = encodeURIComponent;
const filesPath = (roomId: string, name?: string) =>
  `/api/rooms/${enc(roomId)}/files${name === undefined ? '' : `/${enc(name)}`}`;

function apiError(status: number, body: string): ApiError {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    return new ApiError(status, e?.code ?? null, e?.message ?? `HTTP ${status}`);
  } catch {
    return new ApiError(status, null, status === 0 ? 'cannot reach the server' : `HTTP ${status}`);
  }
}

/** What is in the room's files folder. */
export async function listFiles(roomId: string, token: string): Promise<RoomFileList> {
  const res = await fetch(filesPath(roomId), { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw apiError(res.status, text);
  return JSON.parse(text) as RoomFileList;
}

/**
 * PUT one file into the room; `progress` gets the bytes sent so far. XMLHttpRequest, because fetch
 * reports no upload progress; the browser streams the File from disk, it is not read into memory.
 */
export function uploadFile(
  roomId: string,
  token: string,
  file: File,
  progress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<'created' | 'replaced'> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', filesPath(roomId, file.name));
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status === 201) resolve('created');
      else if (xhr.status === 204) resolve('replaced');
      else reject(apiError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(apiError(0, ''));
    xhr.onabort = () => reject(new ApiError(0, null, 'upload cancelled'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/**
 * Saves a file of the room on this computer. The API takes a bearer token, which a plain link cannot
 * carry: fetched, then handed to the browser's download as a blob (which it keeps on disk when large).
 */
export async function downloadFile(roomId: string, token: string, name: string): Promise<void> {
  const res = await fetch(filesPath(roomId, name), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw apiError(res.status, await res.text());
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
