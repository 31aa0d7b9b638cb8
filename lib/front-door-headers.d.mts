export declare const peerHeader: 'x-export-console-peer';
export declare const urlHeader: 'x-export-console-url';
