import { LitElement, css, html } from 'lit';
import type { DecoderSetting, PlayerSettings, SoundSetting, Transport } from '../core/settings.js';
import { controls } from '../styles/shared.js';

/** Transport and live-edge settings; fires `settings-change` with the new PlayerSettings. */
export class BrPlayerSettings extends LitElement {
  static override properties = { settings: { attribute: false } };
  declare settings: PlayerSettings;

  static override styles = [
    controls,
    css`
      details {
        padding: 0.9rem;
      }
      summary {
        cursor: pointer;
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--muted);
      }
      .fields {
        display: grid;
        gap: 0.7rem;
        margin-top: 0.8rem;
      }
      label.check {
        flex-direction: row;
        align-items: center;
        gap: 0.5rem;
        color: var(--fg);
        font-size: 0.85rem;
      }
      input[type='checkbox'] {
        accent-color: var(--accent);
        width: 1rem;
        height: 1rem;
      }
    `,
  ];

  override render() {
    const s = this.settings;
    return html`<details class="card">
      <summary>Player settings</summary>
      <div class="fields">
        <label
          >Transport
          <select
            @change=${(e: Event) => this.set({ transport: (e.target as HTMLSelectElement).value as Transport })}
          >
            <option value="http" ?selected=${s.transport === 'http'}>HTTP-FLV</option>
            <option value="ws" ?selected=${s.transport === 'ws'}>WebSocket-FLV</option>
          </select></label
        >
        <label
          >Player
          <select
            @change=${(e: Event) =>
              this.set({ decoder: (e.target as HTMLSelectElement).value as DecoderSetting })}
          >
            <option value="auto" ?selected=${s.decoder === 'auto'}>Automatic</option>
            <option value="webcodecs" ?selected=${s.decoder === 'webcodecs'}>WebCodecs (no buffer)</option>
            <option value="mse" ?selected=${s.decoder === 'mse'}>Media Source (mpegts.js)</option>
          </select></label
        >
        <label
          >Sound
          <select
            @change=${(e: Event) => this.set({ sound: (e.target as HTMLSelectElement).value as SoundSetting })}
          >
            <option value="auto" ?selected=${s.sound === 'auto'}>Web Audio where possible (sooner)</option>
            <option value="element" ?selected=${s.sound === 'element'}>In the player (in step, later)</option>
          </select></label
        >
        <label
          >Target buffer (ms)
          <input
            type="number"
            min="0"
            max="2000"
            step="5"
            .value=${String(s.targetLatencyMs)}
            @change=${(e: Event) => this.set({ targetLatencyMs: Number((e.target as HTMLInputElement).value) })}
        /></label>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${s.liveEdge}
            @change=${(e: Event) => this.set({ liveEdge: (e.target as HTMLInputElement).checked })}
          />Hold the live edge</label
        >
        <label class="check"
          ><input
            type="checkbox"
            .checked=${s.lowLatencyRemux}
            @change=${(e: Event) => this.set({ lowLatencyRemux: (e.target as HTMLInputElement).checked })}
          />Send frames without holdback</label
        >
      </div>
    </details>`;
  }

  private set(patch: Partial<PlayerSettings>): void {
    this.dispatchEvent(
      new CustomEvent('settings-change', {
        detail: { ...this.settings, ...patch },
        bubbles: true,
        composed: true,
      }),
    );
  }
}
customElements.define('br-player-settings', BrPlayerSettings);
