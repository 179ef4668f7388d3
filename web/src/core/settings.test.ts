import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSettings } from './settings.js';

const stored = (v: unknown) => ({ getItem: () => (typeof v === 'string' ? v : JSON.stringify(v)) });

describe('loadSettings', () => {
  it('gives the defaults for nothing stored or garbage', () => {
    expect(loadSettings({ getItem: () => null })).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(stored('{not json'))).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps a target of 0 (a number, not "unset")', () => {
    expect(loadSettings(stored({ targetLatencyMs: 0 })).targetLatencyMs).toBe(0);
  });

  it('clamps numbers and replaces non-numbers with the default', () => {
    const s = loadSettings(stored({ targetLatencyMs: 1e9, catchUpMarginMs: -1000 }));
    expect(s.targetLatencyMs).toBe(2000);
    expect(s.catchUpMarginMs).toBe(-50);
    const t = loadSettings(
      stored({
        targetLatencyMs: 'x',
        catchUpMarginMs: null,
        transport: 'carrier pigeon',
        decoder: 'vlc',
        sound: 'gramophone',
      }),
    );
    expect(t.targetLatencyMs).toBe(DEFAULT_SETTINGS.targetLatencyMs);
    expect(t.catchUpMarginMs).toBe(DEFAULT_SETTINGS.catchUpMarginMs);
    expect(t.transport).toBe(DEFAULT_SETTINGS.transport);
    expect(t.decoder).toBe('auto');
    expect(loadSettings(stored({ decoder: 'webcodecs' })).decoder).toBe('webcodecs');
    expect(t.sound).toBe('auto');
    expect(loadSettings(stored({ sound: 'element' })).sound).toBe('element');
  });
});
