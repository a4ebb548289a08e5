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
