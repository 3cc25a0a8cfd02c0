/**
 * The knowledge base the emulator's bot answers from unless given another
 * (`--knowledge-base FILE`, a JSON array of the same shape): the help centre of a small online shop.
 */
export interface Article {
  title: string;
  /** The answer, in the HTML Fin supports. */
  body: string;
  keywords?: string[];
}

export const DEMO_KNOWLEDGE: Article[] = [
  {
    title: 'Shipping times and costs',
    body: '<p>Orders ship within <b>1 business day</b>. Delivery takes 2–4 days in Europe and 5–8 days elsewhere. Shipping is free over 50 €.</p>',
    keywords: ['shipping', 'delivery', 'ship', 'parcel', 'package', 'arrive', 'when'],
  },
  {
    title: 'Tracking your order',
    body: '<p>You get a tracking link by email as soon as your order ships. You can also find it under <b>Orders</b> in your account.</p>',
    keywords: ['track', 'tracking', 'order', 'status', 'where'],
  },
  {
    title: 'Returns and refunds',
    body: '<p>You can return any item within <b>30 days</b>. Start a return under <b>Orders → Return</b>; the refund reaches your card 3–5 days after we receive the parcel.</p>',
    keywords: ['return', 'refund', 'money', 'back', 'exchange'],
  },
  {
    title: 'Resetting your password',
    body: '<p>Click <b>Forgot password</b> on the sign-in page and follow the link we email you. The link is valid for one hour.</p>',
    keywords: ['password', 'reset', 'forgot', 'login', 'log', 'sign', 'account'],
  },
  {
    title: 'Plans and pricing',
    body: '<p>We have three plans: <b>Starter</b> (free), <b>Team</b> (12 € per seat per month) and <b>Business</b> (25 € per seat per month). All plans can be cancelled at any time.</p>',
    keywords: ['price', 'pricing', 'plan', 'plans', 'cost', 'subscription', 'team', 'business'],
  },
  {
    title: 'Invoices',
    body: '<p>Invoices are under <b>Billing → Invoices</b>. You can add a VAT number and a billing address there before the next invoice is issued.</p>',
    keywords: ['invoice', 'invoices', 'billing', 'vat', 'receipt'],
  },
  {
    title: 'Cancelling your subscription',
    body: '<p>Go to <b>Billing → Plan</b> and choose <b>Cancel plan</b>. You keep access until the end of the period you paid for.</p>',
    keywords: ['cancel', 'cancellation', 'subscription', 'stop', 'end'],
  },
  {
    title: 'Payment methods',
    body: '<p>We accept cards (Visa, Mastercard, American Express), PayPal and bank transfer for yearly plans.</p>',
    keywords: ['pay', 'payment', 'card', 'paypal', 'transfer'],
  },
];
