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

export const keyboardIcon = icon(
  16,
  svg`<rect x="2" y="6" width="20" height="12" rx="2"></rect><path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10"></path>`,
);

export const fullscreenIcon = (on: boolean) =>
  icon(
    16,
    on
      ? svg`<path d="M9 3v6H3M15 3v6h6M9 21v-6H3M15 21v-6h6"></path>`
      : svg`<path d="M3 9V3h6M21 9V3h-6M3 15v6h6M21 15v6h-6"></path>`,
  );
