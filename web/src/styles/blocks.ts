import { css, type CSSResult } from 'lit';
import { controls } from './shared.js';

/**
 * Layouts more than one element uses, each the common part: an element adds only what differs (its
 * sizes, its own parts). Colours come from index.html's variables, like `controls`.
 */

/** A panel of the room page's side column: a padded section under a small caps heading. */
export const panel = css`
  :host {
    display: block;
  }
  section {
    padding: 0.9rem;
  }
  h2 {
    margin: 0 0 0.6rem;
    font-size: 0.8rem;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: var(--muted);
  }
`;

/** A card of the dashboard page holding a table (profiles, the audit trail): heading row, table, notes. */
export const tableCard = css`
  :host {
    display: block;
  }
  section {
    padding: 0.9rem 1rem;
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
  }
  h2 {
    margin: 0;
    font-size: 1rem;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.85rem;
  }
  th {
    text-align: left;
    font-weight: 600;
    color: var(--muted);
  }
  th,
  td {
    padding: 0.35rem 0.5rem 0.35rem 0;
    border-bottom: 1px solid var(--line);
    overflow-wrap: anywhere;
  }
  p {
    margin: 0;
    font-size: 0.85rem;
  }
`;

/** A page that is one form (a card) in the middle of the screen: sign in, join. */
export const formPage = css`
  :host {
    display: grid;
    place-items: center;
    padding: 1rem;
  }
  form {
    padding: 1.5rem;
    display: flex;
    flex-direction: column;
    gap: 1rem;
  }
  h1 {
    margin: 0;
    font-size: 1.3rem;
  }
  p {
    margin: 0;
    font-size: 0.9rem;
  }
`;

/** A page's top bar: the brand (`<span class="brand"><i></i>boxroom</span>`), then a spacer pushing the rest right. */
export const pageHeader = css`
  header {
    display: flex;
    align-items: center;
    border-bottom: 1px solid var(--line);
    background: var(--panel);
  }
  .brand {
    font-weight: 700;
    display: flex;
    align-items: center;
  }
  .brand i {
    border-radius: 3px;
    background: var(--accent);
    display: inline-block;
  }
  .spacer {
    flex: 1;
  }
`;

/**
 * A message over a picture (connecting, ended, loading): `<div class="notice"><span>...</span></div>`
 * in a positioned box; the span takes clicks (a button in it), the rest lets them through.
 */
export const pictureNotice = css`
  .notice {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    pointer-events: none;
  }
  .notice span {
    display: flex;
    gap: 0.6rem;
    align-items: center;
    background: rgb(15 17 23 / 0.85);
    border: 1px solid var(--line);
    padding: 0.6rem 0.9rem;
    border-radius: 10px;
    font-size: 0.9rem;
  }
`;

/** A line of a panel: text and small buttons side by side, wrapping on narrow screens. */
export const panelRow = css`
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
    align-items: center;
    font-size: 0.9rem;
  }
`;

/** A side panel's styles: the shared controls, `panel`, then the element's own. */
export const panelStyles = (own: CSSResult): CSSResult[] => [controls, panel, own];

/** A table card whose last column holds actions, right-aligned (profiles, API tokens). */
export const listCard = css`
  ${tableCard}
  td:last-child {
    text-align: right;
  }
`;
