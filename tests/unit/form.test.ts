import { describe, expect, it } from "vitest";
import { DEFAULT_FORM_VALUES, formValuesToInput, readFormValues, type FormValues } from "@/app/form";
import { itineraryRequestSchema } from "@/lib/domain/trip";

function formData(entries: Array<[string, string]>): FormData {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

const values = (overrides: Partial<FormValues> = {}): FormValues => ({
  ...DEFAULT_FORM_VALUES,
  destination: "Tokyo, Japan",
  ...overrides,
});

const errorsFor = (input: unknown) => {
  const result = itineraryRequestSchema.safeParse(input);
  return result.error?.issues ?? [];
};

describe("readFormValues", () => {
  it("reads every field, with all checked interest chips", () => {
    const read = readFormValues(
      formData([
        ["destination", "Tokyo, Japan"],
        ["durationDays", "5"],
        ["startDate", ""],
        ["interests", "food"],
        ["interests", "art"],
        ["customInterests", "sumo, ramen"],
        ["pace", "packed"],
        ["budget", "luxury"],
        ["travellers", "3"],
      ]),
    );
    expect(read).toEqual({
      destination: "Tokyo, Japan",
      durationDays: "5",
      startDate: "",
      interests: ["food", "art"],
      customInterests: "sumo, ramen",
      pace: "packed",
      budget: "luxury",
      travellers: "3",
    });
  });

  it("turns missing fields and file uploads into empty values", () => {
    const data = formData([["destination", "Oslo"]]);
    data.append("interests", new Blob(["x"]), "file.txt");
    const read = readFormValues(data);
    expect(read.durationDays).toBe("");
    expect(read.pace).toBe("");
    expect(read.interests).toEqual([]);
  });
});

describe("formValuesToInput", () => {
  it("a blank number of days stays missing, so the schema says it is required", () => {
    for (const durationDays of ["", "   "]) {
      const input = formValuesToInput(values({ durationDays }));
      expect(input.durationDays).toBeUndefined();
      const issues = errorsFor(input);
      expect(issues.map((issue) => issue.path[0])).toEqual(["durationDays"]);
    }
  });

  it("numbers become numbers; nonsense reaches the schema and is rejected there", () => {
    expect(formValuesToInput(values({ durationDays: "5", travellers: "3" }))).toMatchObject({
      durationDays: 5,
      travellers: 3,
    });
    expect(errorsFor(formValuesToInput(values({ durationDays: "abc" }))).map((issue) => issue.path[0])).toEqual([
      "durationDays",
    ]);
    expect(errorsFor(formValuesToInput(values({ durationDays: "2.5" }))).map((issue) => issue.path[0])).toEqual([
      "durationDays",
    ]);
  });

  it("splits custom interests on commas and merges them with the chips", () => {
    const input = formValuesToInput(values({ interests: ["food", "art"], customInterests: " Sumo,ramen , ,FOOD," }));
    expect(input.interests).toEqual(["food", "art", "Sumo", "ramen", "FOOD"]);
    // The schema then lowercases and dedupes, so "FOOD" does not count twice.
    expect(itineraryRequestSchema.parse(input).interests).toEqual(["food", "art", "sumo", "ramen"]);
  });

  it("a blank start date means no start date", () => {
    expect(formValuesToInput(values({ startDate: "" })).startDate).toBeNull();
    expect(formValuesToInput(values({ startDate: "  " })).startDate).toBeNull();
    expect(itineraryRequestSchema.parse(formValuesToInput(values({ startDate: "" }))).startDate).toBeNull();
  });

  it("blank choices fall back to the schema's defaults", () => {
    const request = itineraryRequestSchema.parse(
      formValuesToInput(values({ pace: "", budget: "", travellers: "", durationDays: "4" })),
    );
    expect(request).toMatchObject({ pace: "balanced", budget: "moderate", travellers: 2, durationDays: 4 });
  });

  it("the default form, once a destination is typed, is a valid request", () => {
    const request = itineraryRequestSchema.parse(formValuesToInput(values()));
    expect(request.destination).toBe("Tokyo, Japan");
    expect(request.durationDays).toBe(Number(DEFAULT_FORM_VALUES.durationDays));
  });

  it("produces only keys the strict API schema knows", () => {
    const keys = Object.keys(formValuesToInput(values()));
    // callbackUrl is for API clients only: a person on the form watches the status page.
    const formFields = Object.keys(itineraryRequestSchema.shape).filter((key) => key !== "callbackUrl");
    expect(keys.sort()).toEqual(formFields.sort());
  });
});
