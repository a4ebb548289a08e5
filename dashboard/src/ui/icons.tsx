import type { ReactNode } from 'react';

// A few 16px line icons, drawn inline so nothing is fetched. Decorative: the text beside
// each one says what it means.
const Svg = ({ children }: { children: ReactNode }) => (
  <svg
    width={16}
    height={16}
    viewBox="0 0 16 16"
    fill="none"
    stroke="currentColor"
    strokeWidth={1.5}
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden="true"
  >
    {children}
  </svg>
);

export const IconOverview = () => (
  <Svg>
    <rect x="2" y="2" width="5" height="5" rx="1.2" />
    <rect x="9" y="2" width="5" height="5" rx="1.2" />
    <rect x="2" y="9" width="5" height="5" rx="1.2" />
    <rect x="9" y="9" width="5" height="5" rx="1.2" />
  </Svg>
);

export const IconNodes = () => (
  <Svg>
    <rect x="2" y="2.5" width="12" height="4.5" rx="1.2" />
    <rect x="2" y="9" width="12" height="4.5" rx="1.2" />
    <path d="M4.75 4.75h.01M4.75 11.25h.01M8 4.75h3.5M8 11.25h3.5" />
  </Svg>
);

export const IconRuns = () => (
  <Svg>
    <rect x="1.75" y="2.5" width="12.5" height="11" rx="1.5" />
    <path d="m4.5 6.25 2 1.75-2 1.75M8.25 10.25h3.25" />
  </Svg>
);

export const IconUser = () => (
  <Svg>
    <circle cx="8" cy="5.5" r="2.75" />
    <path d="M2.75 13.75c.8-2.4 2.86-3.75 5.25-3.75s4.45 1.35 5.25 3.75" />
  </Svg>
);

export const IconKeyboard = () => (
  <Svg>
    <rect x="1.75" y="4" width="12.5" height="8" rx="1.5" />
    <path d="M4.5 7h.01M7 7h.01M9.5 7h.01M12 7h.01M5.5 9.5h5" />
  </Svg>
);

export const IconSignOut = () => (
  <Svg>
    <path d="M6 2.75H3.75a1 1 0 0 0-1 1v8.5a1 1 0 0 0 1 1H6M10.5 11l3-3-3-3M13.25 8H6.5" />
  </Svg>
);

export const IconAudit = () => (
  <Svg>
    <path d="M8 1.75 2.75 3.75v4c0 3.1 2.2 5.4 5.25 6.5 3.05-1.1 5.25-3.4 5.25-6.5v-4L8 1.75Z" />
    <path d="m5.75 8 1.6 1.6 2.9-3.1" />
  </Svg>
);

export const IconCopy = () => (
  <Svg>
    <rect x="5.25" y="5.25" width="8.5" height="8.5" rx="1.5" />
    <path d="M10.75 5.25v-1.5a1.5 1.5 0 0 0-1.5-1.5h-5.5a1.5 1.5 0 0 0-1.5 1.5v5.5a1.5 1.5 0 0 0 1.5 1.5h1.5" />
  </Svg>
);

export const IconCheck = () => (
  <Svg>
    <path d="m3.25 8.25 3 3 6.5-6.75" />
  </Svg>
);

export const IconDownload = () => (
  <Svg>
    <path d="M8 2.25v8M4.75 7.25 8 10.5l3.25-3.25M2.75 13.25h10.5" />
  </Svg>
);

export const IconKey = () => (
  <Svg>
    <circle cx="5.5" cy="10.5" r="3" />
    <path d="m7.65 8.35 5.6-5.6M11.25 4.75l1.75 1.75M9.5 6.5l1.25 1.25" />
  </Svg>
);

export const IconUsers = () => (
  <Svg>
    <circle cx="6" cy="5.5" r="2.5" />
    <path d="M1.75 13.5c.65-2.2 2.3-3.5 4.25-3.5s3.6 1.3 4.25 3.5" />
    <path d="M10.5 3.2a2.5 2.5 0 0 1 0 4.6M12 10.2c1.1.5 1.9 1.6 2.25 3.3" />
  </Svg>
);

export const IconLink = () => (
  <Svg>
    <path d="M6.75 9.25a2.9 2.9 0 0 0 4.1 0l2.2-2.2a2.9 2.9 0 0 0-4.1-4.1l-.9.9" />
    <path d="M9.25 6.75a2.9 2.9 0 0 0-4.1 0l-2.2 2.2a2.9 2.9 0 0 0 4.1 4.1l.9-.9" />
  </Svg>
);

export const IconEye = () => (
  <Svg>
    <path d="M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8 12.1 12.5 8 12.5 1.5 8 1.5 8Z" />
    <circle cx="8" cy="8" r="2" />
  </Svg>
);
