import { html, svg, type SVGTemplateResult } from 'lit';

/** A line icon on the 24x24 grid, drawn in the text's colour; `paths` are its svg`` contents. */
export function icon(size: number, paths: SVGTemplateResult, style = '') {
  return html`<svg
    viewBox="0 0 24 24"
    width=${size}
    height=${size}
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
    style=${style}
  >
    ${paths}
  </svg>`;
}

export const pencilIcon = icon(
  12,
  svg`<path d="M17 3a2.8 2.8 0 0 1 4 4L7.5 20.5 2 22l1.5-5.5z"></path>`,
  'vertical-align:-1px',
);

export const speakerIcon = (muted: boolean) =>
  icon(
    16,
    svg`<path d="M11 5 6 9H3v6h3l5 4z" fill="currentColor"></path>${
      muted
        ? svg`<path d="m16 9 6 6M22 9l-6 6"></path>`
        : svg`<path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13"></path>`
    }`,
  );
