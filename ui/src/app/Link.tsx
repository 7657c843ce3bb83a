import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from './router';

type Props = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  /** An app path from `lib/routes`; never a value taken from a trace. */
  to: string;
  replace?: boolean;
};

/** An in-app link: a real href (open in new tab works) with client-side navigation on plain clicks. */
export function Link({ to, replace, onClick, ...rest }: Props) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to, replace === undefined ? {} : { replace });
  };
  return <a href={to} onClick={handle} {...rest} />;
}
