import { LitElement, css, html, nothing } from 'lit';
import type { Role, RoomFile } from '@boxroom/contracts';
import { downloadFile, listFiles, uploadFile } from '../core/file-transfer.js';
import { panelStyles } from '../styles/blocks.js';

interface Upload {
  name: string;
  sent: number;
  total: number;
}

const size = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * The room's files folder: what the room saved there, to download (participants, owners, operators),
 * and files dropped anywhere on the page go up into it, with progress (the controller, owners,
 * operators). Viewers see nothing of it; the dashboard and the room's agent enforce the same rules
 * and the owner's policy, whose refusal shows here as the server's message.
 */
export class BrFilesPanel extends LitElement {
  static override properties = {
    roomId: { attribute: false },
    token: { attribute: false },
    role: { attribute: false },
    inControl: { attribute: false },
    files: { state: true },
    folder: { state: true },
    uploads: { state: true },
    message: { state: true },
    dragging: { state: true },
  };
  declare roomId: string;
  declare token: string | null;
  declare role: Role | null;
  declare inControl: boolean;
  declare files: RoomFile[] | null;
  declare folder: string | null;
  declare uploads: Upload[];
  declare message: string | null;
  declare dragging: boolean;

  constructor() {
    super();
    this.roomId = '';
    this.token = null;
    this.role = null;
    this.inControl = false;
    this.files = null;
    this.folder = null;
    this.uploads = [];
    this.message = null;
    this.dragging = false;
  }

  static override styles = panelStyles(css`
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      font-size: 0.85rem;
    }
    li {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    li .name {
      flex: 1;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    progress {
      flex: 1;
    }
    p {
      margin: 0;
      font-size: 0.8rem;
      overflow-wrap: anywhere;
    }
    .drop {
      position: fixed;
      inset: 0;
      display: grid;
      place-items: center;
      background: rgb(0 0 0 / 55%);
      color: #fff;
      font-size: 1.4rem;
      z-index: 10;
      pointer-events: none;
    }
  `);

  private get canUpload(): boolean {
    return (
      this.role === 'owner' || this.role === 'operator' || (this.role === 'participant' && this.inControl)
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Files dropped anywhere on the page: the page, not just this panel, is the drop target.
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('dragleave', this.onDragLeave);
    window.addEventListener('drop', this.onDrop);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('dragleave', this.onDragLeave);
    window.removeEventListener('drop', this.onDrop);
  }

  override render() {
    if (!this.role || this.role === 'viewer') return nothing;
    return html`<section class="card" aria-label="Files" data-testid="files">
      <h2>Files</h2>
      ${this.folder ? html`<p class="muted">In the room: <code data-testid="files-folder">${this.folder}</code></p>` : nothing}
      ${this.canUpload ? html`<p class="muted">Drop files on the page to put them there.</p>` : nothing}
      ${
        this.uploads.length
          ? html`<ul data-testid="uploads">
              ${this.uploads.map(
                (u) =>
                  html`<li>
                    <span class="name">${u.name}</span>
                    <progress max=${u.total} .value=${u.sent} aria-label=${`uploading ${u.name}`}></progress>
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      ${
        this.files?.length
          ? html`<ul data-testid="file-list">
              ${this.files.map(
                (f) =>
                  html`<li>
                    <span class="name" title=${f.name}>${f.name}</span>
                    <span class="muted">${size(f.size)}</span>
                    <button class="small" data-file=${f.name} @click=${() => this.download(f.name)}>
                      Download
                    </button>
                  </li>`,
              )}
            </ul>`
          : this.files
            ? html`<p class="muted">Nothing there yet.</p>`
            : nothing
      }
      <button class="small" data-action="files-refresh" @click=${() => this.refresh()}>Refresh</button>
      ${this.message ? html`<p class="error" role="alert">${this.message}</p>` : nothing}
      ${this.dragging ? html`<div class="drop">Drop to upload into the room</div>` : nothing}
    </section>`;
  }

  /** Lists the folder again (after an upload, or when asked: the room may have saved something). */
  async refresh(): Promise<void> {
    if (!this.token || !this.role || this.role === 'viewer') return;
    try {
      const list = await listFiles(this.roomId, this.token);
      this.files = list.files;
      this.folder = list.folder ?? null;
    } catch (err) {
      this.files = null;
      this.message = err instanceof Error ? err.message : String(err);
    }
  }

  /** Uploads one file after another, each with its own progress bar. */
  async upload(files: readonly File[]): Promise<void> {
    if (!this.token) return;
    this.message = null;
    for (const file of files) {
      const entry: Upload = { name: file.name, sent: 0, total: file.size };
      this.uploads = [...this.uploads, entry];
      try {
        await uploadFile(this.roomId, this.token, file, (sent, total) => {
          entry.sent = sent;
          entry.total = total;
          this.requestUpdate();
        });
      } catch (err) {
        this.message = `${file.name}: ${err instanceof Error ? err.message : String(err)}`;
      } finally {
        this.uploads = this.uploads.filter((u) => u !== entry);
      }
    }
    await this.refresh();
  }

  private async download(name: string): Promise<void> {
    if (!this.token) return;
    this.message = null;
    try {
      await downloadFile(this.roomId, this.token, name);
    } catch (err) {
      this.message = `${name}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private readonly onDragOver = (e: DragEvent): void => {
    if (!this.canUpload || !e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault(); // lets the drop happen here instead of the browser opening the file
    e.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  };

  private readonly onDragLeave = (e: DragEvent): void => {
    if (e.relatedTarget === null) this.dragging = false;
  };

  private readonly onDrop = (e: DragEvent): void => {
    this.dragging = false;
    if (!this.canUpload || !e.dataTransfer?.files.length) return;
    e.preventDefault();
    void this.upload([...e.dataTransfer.files]);
  };
}
customElements.define('br-files-panel', BrFilesPanel);
