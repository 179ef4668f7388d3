export interface SourceMapV3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}

export function keepSourceMappings<T extends SourceMapV3>(map: T, keep: (source: string) => boolean): T;
