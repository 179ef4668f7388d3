import { css } from 'lit';

/**
 * The room page's layout: a header, the stage beside a column of panels (below it on a narrow screen),
 * and a banner for the connection's state.
 */
export const roomPageStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    height: 100dvh;
  }
  header {
    gap: 0.75rem;
    padding: 0.6rem 1rem;
    min-width: 0;
  }
  .brand {
    gap: 0.45rem;
  }
  .brand i {
    width: 16px;
    height: 12px;
  }
  .title {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    min-width: 0;
  }
  .you {
    display: flex;
    align-items: center;
    gap: 0.3rem;
    min-width: 0;
    max-width: 14rem;
    flex-shrink: 1;
  }
  .you .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .you svg {
    flex: none;
  }
  .layout {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(0, 1fr) 300px;
    gap: 0.9rem;
    padding: 0.9rem;
  }
  .stage-wrap {
    position: relative;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  br-video-stage {
    flex: 1;
    min-height: 0;
  }
  /* the DVR view lies over the live stage, which goes on playing underneath */
  br-replay-view {
    position: absolute;
    inset: 0;
    z-index: 5;
  }
  .rec {
    color: var(--danger);
    border-color: var(--danger);
  }
  aside {
    display: flex;
    flex-direction: column;
    gap: 0.9rem;
    overflow-y: auto;
    min-height: 0;
  }
  .banner {
    padding: 0.55rem 1rem;
    font-size: 0.9rem;
    background: var(--danger-bg);
    color: var(--fg);
    border-bottom: 1px solid var(--line);
    display: flex;
    gap: 0.6rem;
    align-items: center;
  }
  .banner.info {
    background: var(--panel-2);
  }
  @media (max-width: 820px) {
    :host {
      height: auto;
      min-height: 100dvh;
    }
    .layout {
      grid-template-columns: minmax(0, 1fr);
      /* the page is at least the screen's height: the spare height goes below the panels, not into the stage */
      align-content: start;
      padding: 0.6rem;
      gap: 0.6rem;
    }
    /* the picture keeps its height; the key bar and the stage's bar go below it */
    br-video-stage {
      --stage-flex: none;
      --stage-height: max(180px, min(56vw, 52vh));
    }
    aside {
      overflow: visible;
    }
    header {
      padding: 0.55rem 0.75rem;
    }
    .who,
    .you .label {
      display: none;
    }
    .you {
      max-width: 8rem;
    }
  }
`;
