/** The name this browser last joined a room with, kept in localStorage (nothing secret). */
const KEY = 'boxroom.displayName';
/** The API's limit (JoinBody.name). */
export const MAX_NAME_CHARS = 64;

/**
 * The remembered name, or null when there is none usable (the page then asks for one). Storage that
 * throws (disabled, or a sandboxed frame) counts as none.
 */
export function rememberedName(storage: Pick<Storage, 'getItem'> = localStorage): string | null {
  try {
    const name = storage.getItem(KEY)?.trim() ?? '';
    return name && name.length <= MAX_NAME_CHARS ? name : null;
  } catch {
    return null;
  }
}

export function rememberName(name: string, storage: Pick<Storage, 'setItem'> = localStorage): void {
  try {
    storage.setItem(KEY, name.trim());
  } catch {
    // not remembered: the form comes back next time, nothing else changes
  }
}
