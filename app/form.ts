// The web form's side of the request: FormData in, plain values out, and the state the
// server action hands back so the form can show errors and keep what was typed.

export interface FormValues {
  destination: string;
  durationDays: string;
  startDate: string;
  interests: string[];
  customInterests: string;
  pace: string;
  budget: string;
  travellers: string;
}

export interface SubmitFormState {
  status: "idle" | "error";
  message: string | null;
  fieldErrors: Partial<Record<string, string[]>>;
  values: FormValues;
}

export const SUGGESTED_INTERESTS = [
  "food",
  "history",
  "art",
  "nature",
  "architecture",
  "nightlife",
  "shopping",
  "museums",
  "hiking",
  "beaches",
  "markets",
  "photography",
] as const;

export const DEFAULT_FORM_VALUES: FormValues = {
  destination: "",
  durationDays: "3",
  startDate: "",
  interests: [],
  customInterests: "",
  pace: "balanced",
  budget: "moderate",
  travellers: "2",
};

export const initialFormState: SubmitFormState = {
  status: "idle",
  message: null,
  fieldErrors: {},
  values: DEFAULT_FORM_VALUES,
};

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
};

export function readFormValues(formData: FormData): FormValues {
  return {
    destination: text(formData, "destination"),
    durationDays: text(formData, "durationDays"),
    startDate: text(formData, "startDate"),
    interests: formData.getAll("interests").filter((value): value is string => typeof value === "string"),
    customInterests: text(formData, "customInterests"),
    pace: text(formData, "pace"),
    budget: text(formData, "budget"),
    travellers: text(formData, "travellers"),
  };
}

/** Blank numbers stay missing (so the schema says "required"); the schema judges the rest. */
const numberOrRaw = (value: string) => (value.trim() === "" ? undefined : Number(value));

/** Turns form values into the same input the JSON API takes. */
export function formValuesToInput(values: FormValues): Record<string, unknown> {
  const custom = values.customInterests
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
  return {
    destination: values.destination,
    durationDays: numberOrRaw(values.durationDays),
    startDate: values.startDate.trim() === "" ? null : values.startDate,
    interests: [...values.interests, ...custom],
    pace: values.pace || undefined,
    budget: values.budget || undefined,
    travellers: numberOrRaw(values.travellers),
  };
}
