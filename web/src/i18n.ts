// Every piece of UI text goes through this table. English is complete; Russian and Japanese
// start with the most visible keys and fall back to English for the rest.
// Placeholders are written {name} and filled from the second argument of t().

const en = {
  'app.name': 'CRM',
  'app.loading': 'Loading…',

  'nav.main': 'Main navigation',
  'nav.companies': 'Companies',
  'nav.contacts': 'Contacts',
  'nav.settings': 'Settings',
  'nav.customFields': 'Custom fields',
  'nav.signOut': 'Sign out',
  'nav.language': 'Language',
  'nav.signedInAs': 'Signed in as {name}',
  'nav.admin': 'Administrator',

  'search.label': 'Search everything',
  'search.placeholder': 'Search companies and contacts…',
  'search.searching': 'Searching…',
  'search.noResults': 'Nothing found for “{q}”',
  'search.type.company': 'Company',
  'search.type.contact': 'Contact',
  'search.hint': '↑ ↓ to move, Enter to open, Esc to close',

  'auth.title': 'Sign in',
  'auth.subtitle': 'Welcome back. Sign in to your workspace.',
  'auth.email': 'Email',
  'auth.password': 'Password',
  'auth.submit': 'Sign in',
  'auth.submitting': 'Signing in…',
  'auth.failed': 'The email or password is wrong.',
  'auth.sessionEnded': 'Your session has ended. Please sign in again.',
  'auth.tagline': 'Clients, companies and contacts in one place.',

  'common.save': 'Save',
  'common.saving': 'Saving…',
  'common.cancel': 'Cancel',
  'common.edit': 'Edit',
  'common.delete': 'Delete',
  'common.moveToTrash': 'Move to trash',
  'common.restore': 'Restore',
  'common.restoring': 'Restoring…',
  'common.create': 'Create',
  'common.next': 'Next',
  'common.previous': 'Previous',
  'common.loading': 'Loading…',
  'common.reload': 'Reload',
  'common.close': 'Close',
  'common.add': 'Add',
  'common.remove': 'Remove',
  'common.back': 'Back',
  'common.retry': 'Try again',
  'common.search': 'Search',
  'common.filters': 'Filters',
  'common.clearFilters': 'Clear filters',
  'common.required': 'required',
  'common.page': 'Page {n}',
  'common.actions': 'Actions',
  'common.trash': 'Trash',
  'common.backToList': 'Back to the list',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.undo': 'Undo',
  'common.dismiss': 'Dismiss',
  'common.sortAsc': 'sorted ascending',
  'common.sortDesc': 'sorted descending',
  'common.sortBy': 'Sort by {field}',
  'common.rows': '{n} shown',

  'error.title': 'Something went wrong',
  'error.generic': 'Something went wrong. Please try again.',
  'error.network': 'Cannot reach the server. Check your connection and try again.',
  'error.notFound': 'This record does not exist or was moved to the trash.',
  'error.conflict': 'Someone else changed this record; reload to see their changes',
  'error.forbidden': 'You are not allowed to do this.',
  'error.invalid': 'Please correct the highlighted fields.',
  'error.fieldsBelow': 'Other problems:',

  'companies.title': 'Companies',
  'companies.one': 'Company',
  'companies.new': 'New company',
  'companies.create': 'Create company',
  'companies.empty': 'No companies yet — create the first one',
  'companies.emptyFiltered': 'No companies match your search or filters.',
  'companies.trash': 'Companies in the trash',
  'companies.trashEmpty': 'No companies in the trash.',
  'companies.search': 'Search companies…',
  'companies.created': 'Company created',
  'companies.saved': 'Company saved',
  'companies.deleted': 'Company moved to the trash',
  'companies.restored': 'Company restored',
  'companies.confirmDeleteTitle': 'Move this company to the trash?',
  'companies.confirmDelete': '“{name}” will be moved to the trash. You can restore it from the Trash view.',
  'companies.contacts': 'People at this company',
  'companies.noContacts': 'No contacts at this company yet.',
  'companies.addContact': 'Add a contact',

  'contacts.title': 'Contacts',
  'contacts.one': 'Contact',
  'contacts.new': 'New contact',
  'contacts.create': 'Create contact',
  'contacts.empty': 'No contacts yet — create the first one',
  'contacts.emptyFiltered': 'No contacts match your search or filters.',
  'contacts.trash': 'Contacts in the trash',
  'contacts.trashEmpty': 'No contacts in the trash.',
  'contacts.search': 'Search contacts…',
  'contacts.created': 'Contact created',
  'contacts.saved': 'Contact saved',
  'contacts.deleted': 'Contact moved to the trash',
  'contacts.restored': 'Contact restored',
  'contacts.confirmDeleteTitle': 'Move this contact to the trash?',
  'contacts.confirmDelete': '“{name}” will be moved to the trash. You can restore it from the Trash view.',
  'contacts.noName': '(no name)',
  'contacts.atCompany': 'at {company}',
  'contacts.companyFilter': 'Company: {name}',

  'field.id': 'ID',
  'field.name': 'Name',
  'field.legal_name': 'Legal name',
  'field.tax_id': 'Tax ID',
  'field.website': 'Website',
  'field.emails': 'Emails',
  'field.phones': 'Phones',
  'field.email': 'Email',
  'field.phone': 'Phone',
  'field.address': 'Address',
  'field.industry': 'Industry',
  'field.source': 'Source',
  'field.notes': 'Notes',
  'field.tags': 'Tags',
  'field.tag': 'Tag',
  'field.owner': 'Owner',
  'field.first_name': 'First name',
  'field.last_name': 'Last name',
  'field.middle_name': 'Middle name',
  'field.position': 'Position',
  'field.company': 'Company',
  'field.birthday': 'Birthday',
  'field.created_at': 'Created',
  'field.updated_at': 'Updated',
  'field.deleted_at': 'Deleted',

  'form.details': 'Details',
  'form.customFields': 'Custom fields',
  'form.tagsHint': 'Separate tags with commas',
  'form.addEmail': 'Add email',
  'form.addPhone': 'Add phone',
  'form.removeItem': 'Remove {what}',
  'form.companyPlaceholder': 'Type to find a company…',
  'form.noCompany': 'No company',
  'form.clearCompany': 'Clear company',
  'form.noOwner': 'No owner',
  'form.choose': 'Choose…',
  'form.amount': 'Amount',
  'form.currency': 'Currency',
  'form.badAmount': 'Enter an amount with at most {n} decimals',
  'form.needCurrency': 'Enter a three-letter currency code',
  'form.keyboardHint': 'Enter saves · Esc cancels',
  'form.noCustomFields': 'No custom fields are defined.',

  'record.meta': 'Created {created} · Updated {updated} · Version {version}',
  'record.about': 'About',
  'record.none': '—',

  'customFields.title': 'Custom fields',
  'customFields.subtitle': 'Typed fields that appear on the forms of every record. The server checks their values.',
  'customFields.add': 'Add field',
  'customFields.addTitle': 'New field for {entity}',
  'customFields.editTitle': 'Edit “{label}”',
  'customFields.name': 'Name',
  'customFields.nameHint': 'Lowercase letters, digits and _; used by the API and imports. Cannot be changed later.',
  'customFields.label': 'Label',
  'customFields.type': 'Type',
  'customFields.required': 'Required',
  'customFields.requiredHint': 'Every record must have a value',
  'customFields.options': 'Options',
  'customFields.optionsHint': 'One option per line',
  'customFields.empty': 'No custom fields for {entity} yet — add the first one',
  'customFields.adminOnly': 'Only administrators can change custom fields.',
  'customFields.confirmDeleteTitle': 'Delete this field?',
  'customFields.confirmDelete': 'The field “{label}” will be removed from every form.',
  'customFields.created': 'Field added',
  'customFields.saved': 'Field saved',
  'customFields.deleted': 'Field deleted',

  'entity.companies': 'Companies',
  'entity.contacts': 'Contacts',
  'entity.companies.lower': 'companies',
  'entity.contacts.lower': 'contacts',

  'type.text': 'Text',
  'type.long_text': 'Long text',
  'type.integer': 'Integer',
  'type.decimal': 'Decimal',
  'type.money': 'Money',
  'type.percent': 'Percent',
  'type.date': 'Date',
  'type.datetime': 'Date and time',
  'type.email': 'Email',
  'type.phone': 'Phone',
  'type.url': 'URL',
  'type.choice': 'Choice',
  'type.multichoice': 'Multiple choice',
  'type.boolean': 'Yes / no',
} as const;

export type Key = keyof typeof en;
type Dict = Partial<Record<Key, string>>;

const ru: Dict = {
  'app.loading': 'Загрузка…',
  'nav.companies': 'Компании',
  'nav.contacts': 'Контакты',
  'nav.settings': 'Настройки',
  'nav.customFields': 'Дополнительные поля',
  'nav.signOut': 'Выйти',
  'nav.language': 'Язык',
  'search.placeholder': 'Поиск компаний и контактов…',
  'search.noResults': 'Ничего не найдено по запросу «{q}»',
  'auth.title': 'Вход',
  'auth.email': 'Эл. почта',
  'auth.password': 'Пароль',
  'auth.submit': 'Войти',
  'auth.failed': 'Неверная почта или пароль.',
  'common.save': 'Сохранить',
  'common.cancel': 'Отмена',
  'common.edit': 'Изменить',
  'common.delete': 'Удалить',
  'common.restore': 'Восстановить',
  'common.next': 'Далее',
  'common.previous': 'Назад',
  'common.reload': 'Обновить',
  'common.trash': 'Корзина',
  'error.conflict': 'Кто-то уже изменил эту запись; обновите страницу, чтобы увидеть изменения',
  'companies.title': 'Компании',
  'companies.new': 'Новая компания',
  'companies.empty': 'Компаний пока нет — создайте первую',
  'contacts.title': 'Контакты',
  'contacts.new': 'Новый контакт',
  'contacts.empty': 'Контактов пока нет — создайте первый',
  'field.name': 'Название',
  'field.first_name': 'Имя',
  'field.last_name': 'Фамилия',
  'field.company': 'Компания',
  'form.customFields': 'Дополнительные поля',
};

const ja: Dict = {
  'app.loading': '読み込み中…',
  'nav.companies': '会社',
  'nav.contacts': '連絡先',
  'nav.settings': '設定',
  'nav.customFields': 'カスタム項目',
  'nav.signOut': 'ログアウト',
  'nav.language': '言語',
  'search.placeholder': '会社と連絡先を検索…',
  'auth.title': 'ログイン',
  'auth.email': 'メールアドレス',
  'auth.password': 'パスワード',
  'auth.submit': 'ログイン',
  'common.save': '保存',
  'common.cancel': 'キャンセル',
  'common.edit': '編集',
  'common.delete': '削除',
  'common.restore': '復元',
  'common.trash': 'ゴミ箱',
  'companies.title': '会社',
  'contacts.title': '連絡先',
  'field.name': '名前',
  'field.first_name': '名',
  'field.last_name': '姓',
};

export const LANGUAGES = { en: 'English', ru: 'Русский', ja: '日本語' } as const;
export type Lang = keyof typeof LANGUAGES;
const tables: Record<Lang, Dict> = { en, ru, ja };

function detect(): Lang {
  try {
    const saved = localStorage.getItem('crm.lang');
    if (saved && saved in tables) return saved as Lang;
  } catch {
    /* storage may be disabled */
  }
  const nav = (typeof navigator !== 'undefined' && navigator.language) || 'en';
  const short = nav.slice(0, 2).toLowerCase();
  return short in tables ? (short as Lang) : 'en';
}

let current: Lang = detect();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem('crm.lang', lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = lang;
}

export function t(key: Key, vars?: Record<string, string | number>): string {
  const s = tables[current][key] ?? en[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
